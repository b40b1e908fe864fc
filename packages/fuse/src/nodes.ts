/**
 * Node ids the kernel holds: one per (path, kind), counted by lookups and released by FORGET.
 * Names are resolved again on every request through the caller's own mount, so one id serves
 * every view; a path whose kind changes (a device replaced by a directory) gets a new id, since
 * the kernel never lets an inode change type.
 */

/** What a node is in the export (devices are regular files; host-linked ptys are symlinks). */
export type NodeKind = 'dir' | 'file' | 'link';

/** One node the kernel knows. */
export interface FuseNode { id: number; path: string; kind: NodeKind; nlookup: number }

/** The root's node id (FUSE_ROOT_ID). */
export const ROOT_ID = 1;

/** The node table. */
export class NodeTable {
  private readonly byId = new Map<number, FuseNode>();
  private readonly byPath = new Map<string, FuseNode>();
  private next = ROOT_ID + 1;

  constructor() {
    const root: FuseNode = { id: ROOT_ID, path: '', kind: 'dir', nlookup: 1 };
    this.byId.set(ROOT_ID, root);
    this.byPath.set('', root);
  }

  /** The node with this id (undefined when the kernel sent one it was never given). */
  get(id: number): FuseNode | undefined {
    return this.byId.get(id);
  }

  /** The node currently named `path`, if the kernel holds one. */
  byName(path: string): FuseNode | undefined {
    return this.byPath.get(path);
  }

  /** A lookup answered with `path` of `kind`: the node (new or existing) with one more reference. */
  remember(path: string, kind: NodeKind): FuseNode {
    let n = this.byPath.get(path);
    if (n === undefined || n.kind !== kind) {
      n = { id: this.next++, path, kind, nlookup: 0 };
      this.byId.set(n.id, n);
      this.byPath.set(path, n);
    }
    n.nlookup++;
    return n;
  }

  /** FORGET: drops `count` references; the node goes when none is left. */
  forget(id: number, count: number): void {
    const n = this.byId.get(id);
    if (n === undefined || id === ROOT_ID) return;
    n.nlookup -= count;
    if (n.nlookup > 0) return;
    this.byId.delete(id);
    if (this.byPath.get(n.path) === n) this.byPath.delete(n.path);
  }

  /** Nodes held by the kernel (the root included). */
  get size(): number {
    return this.byId.size;
  }
}

/** `dir/name` in mount-relative form ('' is the root). */
export function childPath(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

/** Parent directory and last component of a mount-relative path. */
export function splitLast(path: string): [string, string] {
  const i = path.lastIndexOf('/');
  return i < 0 ? ['', path] : [path.slice(0, i), path.slice(i + 1)];
}
