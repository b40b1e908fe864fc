import { devfsError } from '../errors';
import { Cdev, SI_DYING } from './cdev';
import { asCloner } from './origin';

/** Marks a driver call as in flight; ENXIO once the device is being destroyed. */
export function enterDev(dev: Cdev, syscall: string): void {
  if ((dev.flags & SI_DYING) !== 0) throw devfsError('ENXIO', syscall, dev.si_name, 'device was destroyed');
  dev.threadcount++;
}

/** Ends an in-flight driver call; wakes a waiting destroy_dev when the last one returns. */
export function leaveDev(dev: Cdev): void {
  if (--dev.threadcount === 0 && dev.ext?.drainWaiters) {
    const w = dev.ext.drainWaiters;
    dev.ext.drainWaiters = undefined;
    for (const f of w) f();
  }
}

/** Resolves once no driver call is in flight on `dev`. */
export function drained(dev: Cdev): Promise<void> {
  if (dev.threadcount === 0) return Promise.resolve();
  return new Promise((resolve) => (dev.x().drainWaiters ??= []).push(resolve));
}

/**
 * Runs `fn` as an in-flight call on `dev` (or plainly when `dev` is undefined, for fdclone'd
 * handles). Synchronous results stay cheap; thenables keep the call in flight until they settle.
 */
export async function callDriver<T>(dev: Cdev | undefined, syscall: string, fn: () => T | Promise<T>): Promise<T> {
  if (!dev) return fn();
  enterDev(dev, syscall);
  try {
    // what d_open/d_fdopen makes (ptmx → pts/N, tap → tapN) is a clone: see origin.ts
    return await (syscall === 'open' ? asCloner(fn) : fn());
  } finally {
    leaveDev(dev);
  }
}
