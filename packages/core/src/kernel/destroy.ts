import type { Cdev } from './cdev';
import { SI_DESTROYED } from './cdev';
import { drained } from './inflight';
import { runCdevPriv } from '../file/cdevpriv';

/** Collects what destroying `dev` destroys, children and aliases first (destroy_devl's order). */
export function collectVictims(dev: Cdev, out: Cdev[]): void {
  if (dev.ext?.destroyed || out.includes(dev)) return;
  const x = dev.ext;
  if (x?.children) for (const c of x.children) collectVictims(c, out);
  if (x?.aliases) for (const a of x.aliases) collectVictims(a, out);
  out.push(dev);
}

/** What destroy_dev returns for a device with nothing to wait for: one shared, resolved promise. */
export const DESTROYED: Promise<void> = Promise.resolve();

/**
 * The second half of destroy_dev, after the name is gone: calls d_purge while driver calls are in
 * flight, waits for them to return, runs every cdevpriv destructor once, marks the device destroyed.
 */
export async function finishDestroy(dev: Cdev): Promise<void> {
  if (dev.threadcount > 0) {
    try {
      dev.si_devsw.d_purge?.(dev);
    } catch (err) {
      process.emitWarning(`devfs: d_purge of '${dev.si_name}' threw: ${(err as Error).message}`);
    }
    await drained(dev);
  }
  const privs = dev.ext?.privs;
  if (privs) {
    for (const p of privs) runCdevPriv(p, dev.si_name);
    privs.clear();
  }
  dev.flags |= SI_DESTROYED;
}

/**
 * True when destroying `from` would destroy `to`: `to` is reachable through children and aliases
 * (both are destroyed with their device, so a dependency cycle may run through an alias).
 */
export function destroys(from: Cdev, to: Cdev): boolean {
  const seen = new Set<Cdev>();
  const stack = [from];
  while (stack.length > 0) {
    const d = stack.pop()!;
    if (d === to) return true;
    if (seen.has(d)) continue;
    seen.add(d);
    if (d.ext?.children) stack.push(...d.ext.children);
    if (d.ext?.aliases) stack.push(...d.ext.aliases);
  }
  return false;
}

