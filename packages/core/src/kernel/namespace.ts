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
  entries: Map<string, Cdev | DirNode | undefined>;
  /**
   * Subdirectories by basename (few; lets a path walk skip building 'a/b' keys), made with the
   * first one; a removed one is a tombstone too (a Map shrinks, reallocating, when its last key is
   * deleted: a directory that empties and comes back, 'w/probe' made and destroyed, paid that).
   */
  subdirs: Map<string, DirNode | undefined> | undefined = undefined;
  /** Live entries (the map's size counts tombstones too). */
  live = 0;
  /** Tombstones in `entries`. */
  dead = 0;
  /** Tombstones in `subdirs`. */
  deadSubdirs = 0;
  /** True once a tombstone was reused: map order is then no longer creation order. */
  reordered = false;
  /** Process-unique id (mounts derive per-mount directory inodes from it). */
  readonly id: number;
  readonly ctick: number;
  readonly createdGen: number;
  /**
   * `ctick`: creation time in ms since TIME_ORIGIN (a directory made for a device shares its
   * creation time). `entries`/`dead`: the entry map to start with and its tombstones (see
   * Namespace.remove: an emptied directory's map is reused).
   */
  constructor(name: string, path: string, parent: DirNode | undefined, id: number, createdGen: number, ctick: number,
    entries: Map<string, Cdev | DirNode | undefined> = new Map(), dead = 0) {
    this.name = name;
    this.path = path;
    this.parent = parent;
    this.entries = entries;
    this.dead = dead;
    this.id = id;
    this.ctick = ctick;
    this.createdGen = createdGen;
  }

  /** The entry called `base` in this directory, if any. */
  get(base: string): Cdev | DirNode | undefined {
    return this.subdirs?.get(base) ?? this.entries.get(this.path === '' ? base : `${this.path}/${base}`);
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
  /** The entry map of the last directory removed, and its tombstones: the next new directory takes it. */
  private spare: Map<string, Cdev | DirNode | undefined> | undefined = undefined;
  private spareDead = 0;
  /** The last directory path cut from a device name (see prefix). */
  private lastPrefix = '';

  constructor() {
    this.root = new DirNode('', '', undefined, 0, 0, Date.now() - TIME_ORIGIN);
  }

  /** `name.slice(0, end)`, reusing the last one cut: a driver's devices share their directory. */
  private prefix(name: string, end: number): string {
    const p = this.lastPrefix;
    if (p.length === end && name.startsWith(p)) return p;
    return (this.lastPrefix = name.slice(0, end));
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
      const e = dir.entries.get(slash < 0 ? name : this.prefix(name, slash));
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
      const path = this.prefix(name, slash);
      let next = dir.entries.get(path) as DirNode | undefined;
      if (next === undefined) {
        const spare = this.spare;
        this.spare = undefined;
        next = new DirNode(start === 0 ? path : name.slice(start, slash), path, dir, this.nextDirId++, generation, dev.ctick, spare, spare === undefined ? 0 : this.spareDead);
        put(dir, path, next);
        const subdirs = (dir.subdirs ??= new Map());
        if (subdirs.has(next.name)) dir.deadSubdirs--;
        subdirs.set(next.name, next);
      }
      dir = next;
      start = slash + 1;
    }
  }

  /** Removes a device's name and prunes directories left empty. */
  remove(dev: Cdev): void {
    const name = dev.si_name;
    const slash = name.lastIndexOf('/');
    let dir = slash < 0 ? this.root : this.lookupDir(this.prefix(name, slash));
    if (dir === undefined) return;
    if (dir.entries.get(name) !== dev) return;
    drop(dir, name);
    this.size--;
    this.version++;
    while (dir.parent !== undefined && dir.live === 0) {
      const parent: DirNode = dir.parent;
      drop(parent, dir.path);
      dropSubdir(parent, dir.name);
      // The emptied map (tombstones only) goes to the next new directory; whoever still holds
      // this node sees it empty, as before.
      this.spare = dir.entries;
      this.spareDead = dir.dead;
      dir.entries = NO_ENTRIES;
      dir.dead = 0;
      dir = parent;
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

/** The entries of a removed directory: always empty (never written). */
const NO_ENTRIES = new Map<string, Cdev | DirNode | undefined>();

function dropSubdir(dir: DirNode, base: string): void {
  const subdirs = dir.subdirs as Map<string, DirNode | undefined>;
  subdirs.set(base, undefined);
  dir.deadSubdirs++;
  if (dir.deadSubdirs > 64 && dir.deadSubdirs * 2 > subdirs.size) {
    const live = new Map<string, DirNode | undefined>();
    for (const [k, d] of subdirs) if (d !== undefined) live.set(k, d);
    dir.subdirs = live;
    dir.deadSubdirs = 0;
  }
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
