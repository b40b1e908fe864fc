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
  /** The lengths registered prefixes have, ascending (a miss probes only these). */
  private lengths: number[] = [];

  /** Registers a handler; returns its unregister function. */
  add(handler: CloneHandler, priority = 1000, prefix = ''): () => void {
    const entry: Entry = { handler, priority, seq: this.seq++, prefix };
    let list = this.byPrefix.get(prefix);
    if (!list) this.byPrefix.set(prefix, (list = []));
    list.push(entry);
    this.relength();
    return () => {
      const l = this.byPrefix.get(prefix);
      if (!l) return;
      const i = l.indexOf(entry);
      if (i >= 0) l.splice(i, 1);
      if (l.length === 0) {
        this.byPrefix.delete(prefix);
        this.relength();
      }
    };
  }

  /** Handlers matching `name`, in the order they must run: one map probe per length registered prefixes have. */
  matching(name: string): CloneHandler[] {
    let one: Entry[] | undefined;
    let found: Entry[] | undefined;
    const lengths = this.lengths;
    for (let j = 0; j < lengths.length; j++) {
      const i = lengths[j];
      if (i > name.length) break;
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

  private relength(): void {
    this.lengths = [...new Set([...this.byPrefix.keys()].map((p) => p.length))].sort((a, b) => a - b);
  }

  /** Number of registered handlers. */
  get size(): number {
    let n = 0;
    for (const l of this.byPrefix.values()) n += l.length;
    return n;
  }
}
