import { devfsError } from '../errors';
import { Cdev, TIME_ORIGIN } from './cdev';

/**
 * An intermediate directory of the global device namespace (e.g. 'pts' for 'pts/3'). It exists
 * while it has entries and is removed again when the last one goes.
 */
export class DirNode {
  readonly name: string;
  readonly path: string;
  readonly parent: DirNode | undefined;
  /**
   * Entries keyed by their FULL global name ('pts/3', not '3'): a device's key is its own
   * `si_name` string, so a device in a subdirectory costs no second (basename) string. A removed
   * name keeps its key with the value `undefined` (a tombstone we manage): V8's Map degrades badly when one key is deleted and re-added repeatedly in a large
   * map (each lookup walks every earlier deleted copy), which is exactly device churn (pts/0).
   * Tombstones are compacted away once they outnumber live entries.
   */
  entries = new Map<string, Cdev | DirNode | undefined>();
  /** Live subdirectories by basename (few; lets a path walk skip building 'a/b' keys). */
  readonly subdirs = new Map<string, DirNode>();
  /** Live entries (the map's size counts tombstones too). */
  live = 0;
  /** Tombstones in `entries`. */
  dead = 0;
  /** True once a tombstone was reused: map order is then no longer creation order. */
  reordered = false;
  /** Process-unique id (mounts derive per-mount directory inodes from it). */
  readonly id: number;
  readonly ctick: number;
  readonly createdGen: number;
  constructor(name: string, path: string, parent: DirNode | undefined, id: number, createdGen: number) {
    this.name = name;
    this.path = path;
    this.parent = parent;
    this.id = id;
    this.ctick = Date.now() - TIME_ORIGIN;
    this.createdGen = createdGen;
  }

  /** The entry called `base` in this directory, if any. */
  get(base: string): Cdev | DirNode | undefined {
    return this.subdirs.get(base) ?? this.entries.get(this.path === '' ? base : `${this.path}/${base}`);
  }
}

/** Basename of a device path. */
export function baseName(name: string): string {
  const i = name.lastIndexOf('/');
  return i < 0 ? name : name.slice(i + 1);
}

/**
 * The global device namespace: a tree of directories whose leaves are devices and aliases.
 * One Map entry per device; name checks cost O(depth), never O(devices) (FreeBSD's make_dev
 * compares the new name with every existing device).
 */
export class Namespace {
  readonly root: DirNode;
  private nextDirId = 1;
  /** Number of devices and aliases. */
  size = 0;
  /** Bumped by every insert and remove (mounts' path caches compare it). */
  version = 0;

  constructor() {
    this.root = new DirNode('', '', undefined, 0, 0);
  }

  /**
   * Throws EEXIST when `name` equals an existing name, is a path prefix of one ('pts' while
   * 'pts/3' exists) or has one as its prefix ('pts/3/x' while 'pts/3' exists). Changes nothing.
   */
  checkFree(name: string, syscall = 'make_dev'): void {
    let dir = this.root;
    let start = 0;
    for (;;) {
      const slash = name.indexOf('/', start);
      const e = dir.entries.get(slash < 0 ? name : name.slice(0, slash));
      if (slash < 0) {
        if (e !== undefined) {
          throw devfsError('EEXIST', syscall, name,
            e instanceof DirNode ? `'${name}' is a directory of existing devices` : 'device name in use');
        }
        return;
      }
      if (e === undefined) return;
      if (!(e instanceof DirNode)) {
        throw devfsError('EEXIST', syscall, name, `'${e.si_name}' is a device, not a directory`);
      }
      dir = e;
      start = slash + 1;
    }
  }

  /** Inserts a device under its (validated, free) name, creating intermediate directories. */
  insert(dev: Cdev, generation: number): void {
    const name = dev.si_name;
    let dir = this.root;
    let start = 0;
    for (;;) {
      const slash = name.indexOf('/', start);
      if (slash < 0) {
        put(dir, name, dev);
        this.size++;
        this.version++;
        return;
      }
      const path = name.slice(0, slash);
      let next = dir.entries.get(path) as DirNode | undefined;
      if (next === undefined) {
        next = new DirNode(name.slice(start, slash), path, dir, this.nextDirId++, generation);
        put(dir, path, next);
        dir.subdirs.set(next.name, next);
      }
      dir = next;
      start = slash + 1;
    }
  }

  /** Removes a device's name and prunes directories left empty. */
  remove(dev: Cdev): void {
    const name = dev.si_name;
    const slash = name.lastIndexOf('/');
    let dir = slash < 0 ? this.root : this.lookupDir(name.slice(0, slash));
    if (dir === undefined) return;
    if (dir.entries.get(name) !== dev) return;
    drop(dir, name);
    this.size--;
    this.version++;
    while (dir.parent !== undefined && dir.live === 0) {
      drop(dir.parent, dir.path);
      dir.parent.subdirs.delete(dir.name);
      dir = dir.parent;
    }
  }

  /** The entry at a global name, or undefined. */
  lookup(name: string): Cdev | DirNode | undefined {
    if (name === '') return this.root;
    let dir = this.root;
    let start = 0;
    for (;;) {
      const slash = name.indexOf('/', start);
      const e = dir.entries.get(slash < 0 ? name : name.slice(0, slash));
      if (slash < 0 || e === undefined) return e;
      if (!(e instanceof DirNode)) return undefined;
      dir = e;
      start = slash + 1;
    }
  }

  /** The directory at a global path, or undefined. */
  lookupDir(path: string): DirNode | undefined {
    const e = this.lookup(path);
    return e instanceof DirNode ? e : undefined;
  }

  /** Every device and alias, depth first in creation order. */
  *devices(dir: DirNode = this.root): IterableIterator<Cdev> {
    for (const e of liveEntries(dir)) {
      if (e[1] instanceof DirNode) yield* this.devices(e[1]);
      else yield e[1];
    }
  }
}

/** Live [basename, entry] pairs of a directory in creation order. */
export function liveEntries(dir: DirNode): [string, Cdev | DirNode][] {
  const out = liveKeyed(dir);
  const skip = dir.path === '' ? 0 : dir.path.length + 1;
  if (skip > 0) for (const pair of out) pair[0] = pair[0].slice(skip);
  return out;
}

/** Live [full name, entry] pairs of a directory in creation order. */
function liveKeyed(dir: DirNode): [string, Cdev | DirNode][] {
  const out: [string, Cdev | DirNode][] = [];
  for (const [key, e] of dir.entries) if (e !== undefined) out.push([key, e]);
  if (dir.reordered) out.sort((a, b) => order(a[1]) - order(b[1]));
  return out;
}

function order(e: Cdev | DirNode): number {
  return e.createdGen;
}

function put(dir: DirNode, key: string, e: Cdev | DirNode): void {
  if (dir.entries.has(key)) {
    dir.dead--;
    dir.reordered = true;
  }
  dir.entries.set(key, e);
  dir.live++;
}

function drop(dir: DirNode, key: string): void {
  dir.entries.set(key, undefined);
  dir.live--;
  dir.dead++;
  if (dir.dead > 64 && dir.dead > dir.live) {
    dir.entries = new Map(liveKeyed(dir));
    dir.dead = 0;
    dir.reordered = false;
  }
}
