/**
 * Test helper: a network namespace of the test's own (`ip netns add devfs-test-<random>`) that
 * the calling JS thread enters (setns), so every tap it opens, every socket it makes and every
 * `ip`/`ping` it spawns lives there. `leave()` returns and deletes the namespace (with whatever
 * interfaces remain in it). Used by the native tap tests and the drivers-tap tests.
 */
import { execFileSync } from 'child_process';
import * as crypto from 'crypto';
import { native } from '../lib/index';

/** A namespace the test entered. */
export interface TestNetns {
  readonly name: string;
  /** Runs a command inside the namespace; returns its stdout. */
  run(cmd: string, ...args: string[]): string;
  /** Leaves and deletes the namespace. Idempotent. */
  leave(): void;
}

/** Creates a fresh namespace, enters it and brings its loopback up. */
export function enterTestNetns(): TestNetns {
  const name = `devfs-test-${crypto.randomBytes(4).toString('hex')}`;
  execFileSync('ip', ['netns', 'add', name]);
  let prev: number;
  try {
    prev = native.netnsEnter(`/run/netns/${name}`);
  } catch (e) {
    execFileSync('ip', ['netns', 'del', name]);
    throw e;
  }
  let left = false;
  const run = (cmd: string, ...args: string[]): string => execFileSync(cmd, args, { encoding: 'utf8' });
  run('ip', 'link', 'set', 'lo', 'up');
  return {
    name,
    run,
    leave() {
      if (left) return;
      left = true;
      try {
        native.netnsRestore(prev);
      } finally {
        execFileSync('ip', ['netns', 'del', name]);
      }
    },
  };
}

/** Names of the interfaces `ip -o link show` lists in the current namespace. */
export function linkNames(): string[] {
  return execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1])
    .filter((n): n is string => !!n);
}
