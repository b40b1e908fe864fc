'use strict';
/**
 * A faithful in-process model of FreeBSD's DEVFS algorithms (sys/kern/kern_conf.c,
 * sys/fs/devfs/devfs_devs.c, devfs_vnops.c, devfs_rule.c), used as the same-run baseline of the
 * kernel and mount benchmarks. It keeps FreeBSD's data structures and their costs:
 *
 *  - `cdevp_list`: one doubly linked list of every cdev (TAILQ); `make_dev` checks the new name
 *    against every active device (`devfs_dev_exists` → `devfs_pathpath` both ways): O(N);
 *  - `destroy_dev` only clears CDP_ACTIVE and bumps `devfs_generation` (`devfs_destroy`); the
 *    cdev stays on the list until a populate collects it;
 *  - `devfs_populate`: while the mount's generation differs, `devfs_populate_loop` walks the list
 *    from its head and handles ONE change (create a dirent, remove a dirent, or free a dead cdev)
 *    then starts over: O(changes × N);
 *  - each cdev keeps a per-mount dirent array `cdp_dirents[dm_idx]` (devfs_metoo): O(N × mounts)
 *    memory;
 *  - directories are lists (`de_dlist`, with "." and ".."); `devfs_find` scans them linearly;
 *  - a lookup miss invokes every registered `dev_clone` event handler (EVENTHANDLER_INVOKE);
 *  - `devfs_rules_apply` runs every rule of the mount's ruleset in order (`devfs_rule_run`),
 *    following includes; a path condition is an fnmatch(3) FNM_PATHNAME test.
 *
 * Where the model deviates it does so in FreeBSD's favour, never against it:
 *  - with no mount holding a dirent for it (cdp_inuse == 0) a destroyed cdev is unlinked at once
 *    instead of at the next populate, so make/destroy loops do not pile up dead entries;
 *  - `bootDevice` / `populateAll` build the starting state of a benchmark in one pass (setup
 *    only, never timed), as if the devices had existed before the mount.
 * Path patterns use the same compiled fnmatch as @devfs/core, so the rules benchmark compares the
 * evaluation strategy (linear vs prefix-indexed), not two pattern matchers.
 */

const CDP_ACTIVE = 1;
const DT_DIR = 4;
const DT_CHR = 2;
const DT_LNK = 10;
const DE_DOT = 1;
const DE_DOTDOT = 2;
const DE_COVERED = 4;
const DE_WHITEOUT = 8;

/** struct cdev_priv (with its struct cdev). */
class Cdp {
  constructor(name, uid, gid, mode, inode) {
    this.name = name;
    this.uid = uid;
    this.gid = gid;
    this.mode = mode;
    this.flags = CDP_ACTIVE;
    this.inode = inode;
    /** cdp_dirents[dm_idx]; cdp_maxdirent = dirents.length - 1. */
    this.dirents = [null];
    this.inuse = 0;
    this.prev = null;
    this.next = null;
    this.onList = false;
  }
}

/** struct devfs_dirent. */
class Dirent {
  constructor(name, type) {
    this.name = name;
    this.type = type;
    this.flags = 0;
    this.uid = 0;
    this.gid = 0;
    this.mode = 0o555;
    this.inode = 0;
    this.cdp = null;
    this.dir = null;
    /** de_dlist of a directory: an array scanned linearly, as FreeBSD's TAILQ. */
    this.dlist = type === DT_DIR ? [] : null;
  }
}

/** devfs_pathpath(p1, p2): 1 when p1 equals p2 or is a directory prefix of it. */
function pathpath(p1, p2) {
  let i = 0;
  for (; i < p1.length && i < p2.length; i++) if (p1.charCodeAt(i) !== p2.charCodeAt(i)) return false;
  if (i < p1.length) return false;
  return i === p2.length || p2.charCodeAt(i) === 47; // '/'
}

/** The model kernel: the cdev list, inode numbers, generation, clone handlers, rulesets. */
class FreeBSDModel {
  constructor() {
    this.head = null;
    this.tail = null;
    this.generation = 0;
    this.mounts = [];
    this.cloners = [];
    /** ruleset number → array of rules { match(path, kind) → bool, apply(attrs), include } */
    this.rulesets = new Map();
    this.ruleDepth = 1;
    this.freeInodes = [];
    this.nextInode = 3;
  }

  allocInode() {
    return this.freeInodes.length ? this.freeInodes.pop() : this.nextInode++;
  }

  /** devfs_dev_exists: every active device, both prefix directions. O(N). */
  devExists(name) {
    for (let c = this.head; c !== null; c = c.next) {
      if ((c.flags & CDP_ACTIVE) === 0) continue;
      if (pathpath(c.name, name) || pathpath(name, c.name)) return true;
    }
    return false;
  }

  /** make_dev(9): name check over every device, then devfs_create (append + generation++). */
  makeDev(name, uid = 0, gid = 0, mode = 0o600) {
    if (name.length === 0 || name.length > 255) throw new Error('EINVAL');
    if (this.devExists(name)) throw new Error(`EEXIST ${name}`);
    return this.devfsCreate(new Cdp(name, uid, gid, mode, 0));
  }

  /** Setup only (never timed): attach a device known to be unique without the O(N) check. */
  bootDevice(name, uid = 0, gid = 0, mode = 0o600) {
    return this.devfsCreate(new Cdp(name, uid, gid, mode, 0));
  }

  devfsCreate(cdp) {
    cdp.inode = this.allocInode();
    cdp.prev = this.tail;
    if (this.tail) this.tail.next = cdp;
    else this.head = cdp;
    this.tail = cdp;
    cdp.onList = true;
    this.generation++;
    return cdp;
  }

  /** destroy_dev(9) → devfs_destroy: clear CDP_ACTIVE, generation++ (collected by populate). */
  destroyDev(cdp) {
    cdp.flags &= ~CDP_ACTIVE;
    this.generation++;
    if (cdp.inuse === 0) this.unlink(cdp); // in FreeBSD's favour: see the header
  }

  unlink(cdp) {
    if (!cdp.onList) return;
    if (cdp.prev) cdp.prev.next = cdp.next;
    else this.head = cdp.next;
    if (cdp.next) cdp.next.prev = cdp.prev;
    else this.tail = cdp.prev;
    cdp.prev = cdp.next = null;
    cdp.onList = false;
    this.freeInodes.push(cdp.inode);
  }

  /** EVENTHANDLER_REGISTER(dev_clone, fn): fn(name) → cdp | null. */
  addCloner(fn) {
    this.cloners.push(fn);
  }

  /** Adds a ruleset of rules { path: PathMatcher|null, hide, unhide, mode, include }. */
  setRuleset(n, rules) {
    this.rulesets.set(n, rules);
  }

  /** devfs_mount: a new mount with its index into every cdev's dirent array. */
  mount(ruleset = 0) {
    const dm = new ModelMount(this, this.mounts.length, ruleset);
    this.mounts.push(dm);
    return dm;
  }

  /** devfs_rules_apply → devfs_rule_run over each rule in order (includes followed). O(rules). */
  runRules(rs, path, kind, attrs, depth = this.ruleDepth) {
    const rules = this.rulesets.get(rs);
    if (rules === undefined) return false;
    let matched = false;
    for (let i = 0; i < rules.length; i++) {
      const r = rules[i];
      if (r.path !== null && (path === '' || !r.path.test(path))) continue;
      if (r.types && kind !== 'dev') continue;
      matched = true;
      if (r.hide) attrs.hidden = true;
      if (r.unhide) attrs.hidden = false;
      if (r.mode !== null) attrs.mode = r.mode;
      if (r.include !== null && depth > 0) this.runRules(r.include, path, kind, attrs, depth - 1);
    }
    return matched;
  }
}

/** struct devfs_mount. */
class ModelMount {
  constructor(model, idx, ruleset) {
    this.model = model;
    this.idx = idx;
    this.ruleset = ruleset;
    this.generation = -1;
    this.root = newDir('', null);
    this.root.inode = 2;
    this.scratch = { hidden: false, mode: -1 };
  }

  /** devfs_populate: one list walk per change until nothing is left to do. */
  populate() {
    const gen = this.model.generation;
    if (this.generation === gen) return;
    while (this.populateLoop()) continue;
    this.generation = gen;
  }

  /** Setup only: creates every missing dirent in one pass (as if mounted after boot). */
  populateAll() {
    for (let c = this.model.head; c !== null; c = c.next) {
      if ((c.flags & CDP_ACTIVE) && !(this.idx < c.dirents.length && c.dirents[this.idx] !== null)) this.createDirent(c, true);
    }
    this.generation = this.model.generation;
  }

  /** devfs_populate_loop: walks cdevp_list from its head, handles one change, returns 1. */
  populateLoop() {
    const idx = this.idx;
    for (let c = this.model.head; c !== null; c = c.next) {
      const has = idx < c.dirents.length && c.dirents[idx] !== null;
      if (!(c.flags & CDP_ACTIVE) && has) {
        const de = c.dirents[idx];
        c.dirents[idx] = null;
        removeFrom(de.dir, de);
        rmdirEmpty(de.dir);
        c.inuse--;
        return true;
      }
      if (!(c.flags & CDP_ACTIVE)) {
        if (c.inuse > 0) continue;
        this.model.unlink(c);
        return true;
      }
      if (has) continue;
      this.createDirent(c);
      return true;
    }
    return false;
  }

  /** Creates the dirent of `c` (`bulk`: setup only, skip the covered-by-a-symlink scan; none exist then). */
  createDirent(c, bulk = false) {
    c.inuse++;
    if (this.idx >= c.dirents.length) {
      // devfs_metoo: grow the per-cdev array to dm_idx + 1 slots
      const dep = new Array(this.idx + 1).fill(null);
      for (let i = 0; i < c.dirents.length; i++) dep[i] = c.dirents[i];
      c.dirents = dep;
    }
    let dd = this.root;
    const s = c.name;
    let start = 0;
    for (;;) {
      const q = s.indexOf('/', start);
      if (q < 0) break;
      const part = s.slice(start, q);
      let de = devfsFind(dd, part, 0);
      if (de === null) de = this.vmkdir(part, dd);
      else if (de.type === DT_LNK) {
        de = devfsFind(dd, part, DT_DIR) || this.vmkdir(part, dd);
        de.flags |= DE_COVERED;
      }
      dd = de;
      start = q + 1;
    }
    const base = start === 0 ? s : s.slice(start);
    let flags = 0;
    if (!bulk && devfsFind(dd, base, DT_LNK) !== null) flags |= DE_COVERED;
    const de = new Dirent(base, DT_CHR);
    de.uid = c.uid; de.gid = c.gid; de.mode = c.mode;
    de.flags |= flags;
    de.inode = c.inode;
    de.cdp = c;
    de.dir = dd;
    dd.dlist.push(de);
    this.rulesApply(de, s, 'dev');
    c.dirents[this.idx] = de;
  }

  vmkdir(name, parent) {
    const dd = newDir(name, parent);
    dd.inode = this.model.allocInode();
    parent.dlist.push(dd);
    this.rulesApply(dd, dirPath(dd), 'dir');
    return dd;
  }

  rulesApply(de, path, kind) {
    if (this.ruleset === 0) return;
    const a = this.scratch;
    a.hidden = false; a.mode = -1;
    if (!this.model.runRules(this.ruleset, path, kind, a)) return;
    if (a.hidden) de.flags |= DE_WHITEOUT;
    if (a.mode >= 0) de.mode = a.mode;
  }

  /**
   * devfs_lookup of a mount-relative path: populate, then devfs_find per component; a miss of the
   * last component runs every dev_clone handler and, if one made a device, populates and retries.
   * Returns the dirent or null (ENOENT).
   */
  lookup(path) {
    this.populate();
    let dd = this.root;
    let start = 0;
    for (;;) {
      const q = path.indexOf('/', start);
      const part = q < 0 ? (start === 0 ? path : path.slice(start)) : path.slice(start, q);
      let de = devfsFind(dd, part, 0);
      if (de !== null && (de.flags & DE_WHITEOUT)) de = null;
      if (de === null) {
        if (q >= 0) return null;
        let made = null;
        const cl = this.model.cloners;
        for (let i = 0; i < cl.length; i++) {
          const r = cl[i](path, made);
          if (made === null && r) made = r;
        }
        if (made === null) return null;
        this.populate();
        de = devfsFind(dd, part, 0);
        if (de === null || (de.flags & DE_WHITEOUT)) return null;
        return de;
      }
      if (q < 0) return de;
      if (de.type !== DT_DIR) return null;
      dd = de;
      start = q + 1;
    }
  }

  /** stat: lookup + copy of the attributes (ENOENT → null). */
  stat(path) {
    const de = this.lookup(path);
    if (de === null) return null;
    return { ino: de.inode, mode: de.mode, uid: de.uid, gid: de.gid };
  }
}

function newDir(name, parent) {
  const dd = new Dirent(name, DT_DIR);
  const dot = new Dirent('.', DT_DIR);
  dot.flags = DE_DOT;
  const dotdot = new Dirent('..', DT_DIR);
  dotdot.flags = DE_DOTDOT;
  dd.dlist.push(dot, dotdot);
  dd.dir = parent;
  return dd;
}

function dirPath(dd) {
  const parts = [];
  for (let d = dd; d !== null && d.dir !== null; d = d.dir) parts.push(d.name);
  return parts.reverse().join('/');
}

/** devfs_find: linear scan of a directory's entries. */
function devfsFind(dd, name, type) {
  const l = dd.dlist;
  for (let i = 0; i < l.length; i++) {
    const de = l[i];
    if (de.name.length !== name.length) continue;
    if (type !== 0 && type !== de.type) continue;
    if (de.flags & (DE_DOT | DE_DOTDOT)) continue;
    if (de.name !== name) continue;
    return de;
  }
  return null;
}

/** TAILQ_REMOVE from the parent directory (the array stands in for the list; O(position)). */
function removeFrom(dd, de) {
  const i = dd.dlist.lastIndexOf(de);
  if (i >= 0) dd.dlist.splice(i, 1);
}

/** devfs_rmdir_empty: removes directories left with only "." and "..". */
function rmdirEmpty(dd) {
  while (dd.dir !== null && dd.dlist.length === 2) {
    removeFrom(dd.dir, dd);
    dd = dd.dir;
  }
}

module.exports = { FreeBSDModel, ModelMount, devfsFind, pathpath, CDP_ACTIVE };
