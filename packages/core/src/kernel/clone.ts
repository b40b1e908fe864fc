import type { Cred } from '../cred';
import type { Cdev } from './cdev';

/** A clone handler: may create the device for `name` (make_dev with MAKEDEV_REF) and return it. */
export type CloneHandler = (name: string, cred: Cred) => Cdev | undefined;

const NONE: readonly CloneHandler[] = [];

interface Entry { handler: CloneHandler; priority: number; seq: number }

/** One prefix character; `entries` are the handlers registered for the prefix ending here. */
class PrefixNode {
  next: Map<number, PrefixNode> | null = null;
  entries: Entry[] = [];
  /** `entries`' handlers in the order they run (rebuilt when `entries` changes). */
  handlers: readonly CloneHandler[] = NONE;
  constructor(readonly parent: PrefixNode | null, readonly code: number) {}
}

const byOrder = (a: Entry, b: Entry): number => a.priority - b.priority || a.seq - b.seq;

/**
 * Clone handlers indexed by name prefix. A lookup miss runs only the handlers whose prefix is a
 * prefix of the missed name, in priority order (lower first, then registration order) — FreeBSD
 * wakes every registered cloner on every miss. The prefixes form a character trie: a miss walks
 * it along the name, allocating nothing when one prefix matches (the usual case).
 */
export class CloneRegistry {
  private readonly root = new PrefixNode(null, -1);
  private seq = 0;
  private count = 0;

  /** Registers a handler; returns its unregister function. */
  add(handler: CloneHandler, priority = 1000, prefix = ''): () => void {
    const entry: Entry = { handler, priority, seq: this.seq++ };
    let node = this.root;
    for (let i = 0; i < prefix.length; i++) {
      const c = prefix.charCodeAt(i);
      let child = node.next?.get(c);
      if (child === undefined) (node.next ??= new Map()).set(c, (child = new PrefixNode(node, c)));
      node = child;
    }
    node.entries.push(entry);
    order(node);
    this.count++;
    return () => {
      const i = node.entries.indexOf(entry);
      if (i < 0) return;
      node.entries.splice(i, 1);
      order(node);
      this.count--;
      // drop the branch nodes left with neither handlers nor children
      for (let n = node; n.parent !== null && n.entries.length === 0 && !n.next?.size; n = n.parent) {
        n.parent.next!.delete(n.code);
      }
    };
  }

  /** Handlers matching `name`, in the order they must run (the returned array is not to be changed). */
  matching(name: string): readonly CloneHandler[] {
    let node: PrefixNode | undefined = this.root;
    let one: PrefixNode | undefined;
    let more: Entry[] | undefined;
    for (let i = 0; ; i++) {
      if (node.entries.length > 0) {
        if (one === undefined) one = node;
        else (more ??= one.entries.slice()).push(...node.entries);
      }
      if (i >= name.length || node.next === null) break;
      node = node.next.get(name.charCodeAt(i));
      if (node === undefined) break;
    }
    if (one === undefined) return NONE;
    if (more === undefined) return one.handlers;
    return more.sort(byOrder).map((e) => e.handler);
  }

  /** Number of registered handlers. */
  get size(): number {
    return this.count;
  }
}

/** Rebuilds a node's handlers in run order. */
function order(node: PrefixNode): void {
  node.handlers = node.entries.length === 0 ? NONE : node.entries.slice().sort(byOrder).map((e) => e.handler);
}
