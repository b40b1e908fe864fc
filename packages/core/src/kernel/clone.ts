import type { Cred } from '../cred';
import type { Cdev } from './cdev';

/** A clone handler: may create the device for `name` (make_dev with MAKEDEV_REF) and return it. */
export type CloneHandler = (name: string, cred: Cred) => Cdev | undefined;

const NONE: CloneHandler[] = [];

interface Entry { handler: CloneHandler; priority: number; seq: number; prefix: string }

/**
 * Clone handlers indexed by name prefix. A lookup miss runs only the handlers whose prefix is a
 * prefix of the missed name, in priority order (lower first, then registration order) — FreeBSD
 * wakes every registered cloner on every miss.
 */
export class CloneRegistry {
  private byPrefix = new Map<string, Entry[]>();
  private seq = 0;
  private maxPrefixLen = 0;

  /** Registers a handler; returns its unregister function. */
  add(handler: CloneHandler, priority = 1000, prefix = ''): () => void {
    const entry: Entry = { handler, priority, seq: this.seq++, prefix };
    let list = this.byPrefix.get(prefix);
    if (!list) this.byPrefix.set(prefix, (list = []));
    list.push(entry);
    if (prefix.length > this.maxPrefixLen) this.maxPrefixLen = prefix.length;
    return () => {
      const l = this.byPrefix.get(prefix);
      if (!l) return;
      const i = l.indexOf(entry);
      if (i >= 0) l.splice(i, 1);
      if (l.length === 0) this.byPrefix.delete(prefix);
    };
  }

  /** Handlers matching `name`, in the order they must run. O(len(name)) map probes. */
  matching(name: string): CloneHandler[] {
    let one: Entry[] | undefined;
    let found: Entry[] | undefined;
    const limit = Math.min(name.length, this.maxPrefixLen);
    for (let i = 0; i <= limit; i++) {
      const l = this.byPrefix.get(i === name.length ? name : name.slice(0, i));
      if (l === undefined) continue;
      if (one === undefined) one = l;
      else (found ??= one.slice()).push(...l);
    }
    if (one === undefined) return NONE;
    if (one.length === 1 && found === undefined) return [one[0].handler];
    found ??= one.slice();
    found.sort((a, b) => a.priority - b.priority || a.seq - b.seq);
    return found.map((e) => e.handler);
  }

  /** Number of registered handlers. */
  get size(): number {
    let n = 0;
    for (const l of this.byPrefix.values()) n += l.length;
    return n;
  }
}
