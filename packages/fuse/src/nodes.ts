/**
 * Node ids the kernel holds: one per (view, path, kind), counted by lookups and released by
 * FORGET. A view is the mount that answered the lookup: callers of different mounts get different
 * inodes for the same name, so attributes the kernel caches on an inode are one view's only (a
 * caller of another view always reaches its own inode, through a LOOKUP — names are never cached
 * across views). The root is shared. Names are resolved again on every request through the
 * caller's own mount; a path whose kind changes (a device replaced by a directory) gets a new id,
 * since the kernel never lets an inode change type.
 */

/** What a node is in the export (devices are regular files; host-linked ptys are symlinks). */
export type NodeKind = 'dir' | 'file' | 'link';

/** One node the kernel knows. */
export interface FuseNode { id: number; view: string; path: string; kind: NodeKind; nlookup: number }

/** The root's node id (FUSE_ROOT_ID). */
export const ROOT_ID = 1;

/** The node table. */
export class NodeTable {
  private readonly byId = new Map<number, FuseNode>();
  private readonly byPath = new Map<string, FuseNode>();
  private next = ROOT_ID + 1;
  /** Names of the views that ever had a node (a handful: the configured mounts). */
  private readonly views = new Set<string>();

  constructor() {
    const root: FuseNode = { id: ROOT_ID, view: '', path: '', kind: 'dir', nlookup: 1 };
    this.byId.set(ROOT_ID, root);
  }

  /** The node with this id (undefined when the kernel sent one it was never given). */
  get(id: number): FuseNode | undefined {
    return this.byId.get(id);
  }

  /** The nodes currently named `path` in any view ('' is the root). */
  named(path: string): FuseNode[] {
    if (path === '') return [this.byId.get(ROOT_ID)!];
    const out: FuseNode[] = [];
    for (const v of this.views) {
      const n = this.byPath.get(`${v}\0${path}`);
      if (n) out.push(n);
    }
    return out;
  }

  /** A lookup in `view` answered with `path` of `kind`: the node (new or existing) with one more reference. */
  remember(view: string, path: string, kind: NodeKind): FuseNode {
    const key = `${view}\0${path}`;
    let n = this.byPath.get(key);
    if (n === undefined || n.kind !== kind) {
      n = { id: this.next++, view, path, kind, nlookup: 0 };
      this.byId.set(n.id, n);
      this.byPath.set(key, n);
      this.views.add(view);
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
    const key = `${n.view}\0${n.path}`;
    if (this.byPath.get(key) === n) this.byPath.delete(key);
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
