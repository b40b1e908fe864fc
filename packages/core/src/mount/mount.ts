import { native } from '@devfs/native';
import type { Cred } from '../cred';
import { ROOT } from '../cred';
import { devfsError, devfsErrorNoStack } from '../errors';
import { arg, MAX_ID } from '../validate';
import { S_IFCHR, S_IFDIR, S_IFLNK } from '../constants';
import { Cdev, TIME_ORIGIN } from '../kernel/cdev';
import { DirNode, liveEntries } from '../kernel/namespace';
import { ChangeLogReader, CHANGE_CLEAR, GENERATION, splitGeneration, watchGeneration } from '../kernel/changelog';
import type { MountRegistry } from './registry';
import type { MountTable } from './table';
import { DevFile } from '../file/devfile';
import { DirentAttrs } from './attrs';
import { permits, R_OK, W_OK, X_OK } from './access';
import { DevDirent, DevStat, DevStatImpl } from './stat';
import { RulesetView } from './view';
import { UserLink, Resolved, Miss } from './node';
import { aliasTarget, joinPath, MAXSYMLINKS, splitPath } from './paths';
import { openDevice } from './open';
import { applyRules, RuleApplier } from './apply';
import { WalkCache, WalkEntry } from './cache';

/** Options of kernel.mount(). */
export interface MountOptions {
  name?: string;
  ruleset?: number | string;
  readOnly?: boolean;
  jail?: boolean;
}

/** Options of stat and lstat. */
export interface StatOptions {
  /** false: a name that does not exist gives undefined instead of ENOENT (default true, as Node's fs). */
  throwIfNoEntry?: boolean;
}

/** Effective attributes of an entry in one mount (scratch result of `attrsOf`). */
export interface EffectiveAttrs {
  hidden: boolean;
  ruleHidden: boolean;
  whiteout: boolean;
  uid: number;
  gid: number;
  mode: number;
  atick: number;
  mtick: number;
  ctick: number;
}

interface Epoch { fromGen: number; view: RulesetView | undefined }

const DIR_MODE = 0o555;
/** Per-mount inodes of directories and user symlinks live above every device inode. */
const LOCAL_INO_BASE = 0x1000000;

let mountSeq = 0;

/**
 * One view of the device namespace (a devfs mount). It holds only what it changed — per-entry
 * attributes, whiteouts, user symlinks — over the kernel's shared namespace and the shared view
 * of its ruleset, so its memory grows with its own changes, not with the number of devices.
 * Metadata calls are synchronous; I/O is async.
 */
export class Mount {
  /** Mount name (events, CLI). */
  readonly name: string;
  /** A read-only mount refuses every change (EROFS); its visible devices are frozen at mount time. */
  readonly readOnly: boolean;
  /** A jail mount's root cannot un-hide what its ruleset hides nor change the ruleset. */
  readonly jail: boolean;
  /** @internal the registry this mount presents (only what the filesystem side needs of it). */
  readonly kernel: MountRegistry;
  private readonly table: MountTable;
  private readonly frozenGen: number;
  private epochs: Epoch[] = [];
  private readonly overlay = new Map<number, DirentAttrs>();
  private readonly dirOverlay = new WeakMap<DirNode, DirentAttrs>();
  private readonly rootAttrs: DirentAttrs;
  private readonly links = new Map<string, Map<string, UserLink>>();
  private readonly dirInos = new WeakMap<DirNode, number>();
  private nextLocalIno = LOCAL_INO_BASE + 1;
  private readonly reader = new ChangeLogReader();
  /** The generation (its two words) populate last caught up with; -1: never. */
  private seenLo = -1;
  private seenHi = -1;
  private linkSeq = 0;
  private unmounted = false;
  /** Resolved paths, positive and negative (see cache.ts); emptied by anything a walk depends on. */
  private readonly cache: WalkCache;
  private nsVersion = -1;
  private readonly eff: EffectiveAttrs = { hidden: false, ruleHidden: false, whiteout: false, uid: 0, gid: 0, mode: 0, atick: -1, mtick: -1, ctick: -1 };

  /** @internal use kernel.mount(). */
  constructor(table: MountTable, opts: MountOptions = {}) {
    this.table = table;
    this.kernel = table.registry;
    this.name = opts.name ?? `devfs${mountSeq++}`;
    this.readOnly = !!opts.readOnly;
    this.jail = !!opts.jail;
    this.frozenGen = this.readOnly ? native.devfsGeneration() : Infinity;
    this.cache = new WalkCache(table.walkBudget);
    this.rootAttrs = new DirentAttrs(0, 0, 0, DIR_MODE, false);
    this.rootAttrs.ctick = Date.now() - TIME_ORIGIN;
    const view = opts.ruleset !== undefined ? table.view(opts.ruleset) : undefined;
    // A jail without a ruleset (or with ruleset 0) would see every device: refused.
    if (this.jail && view === undefined) {
      throw devfsError('EINVAL', 'mount', this.name, 'a jail mount needs a ruleset other than 0');
    }
    if (view) view.refs++;
    this.epochs.push({ fromGen: 0, view });
  }

  // ---------------------------------------------------------------- queries

  /**
   * stat, following symlinks. With `{ throwIfNoEntry: false }` (as Node's `fs.statSync`) a name
   * that does not exist gives `undefined` instead of an ENOENT error; other errors still throw.
   */
  stat(path: string, cred?: Cred): DevStat;
  stat(path: string, cred: Cred, opts: StatOptions): DevStat | undefined;
  stat(path: string, cred: Cred = ROOT, opts?: StatOptions): DevStat | undefined {
    if (opts !== undefined) return this.quietStat(path, cred, true, 'stat', opts);
    // a stat's miss is announced (LOOKUP) only to whoever listens (walk); the ENOENT is thrown
    // here, next to the caller: V8's throw costs more with every frame it unwinds
    const r = this.walk(path, cred, true, 'stat', true, false);
    if (r.kind === 'miss') throw devfsErrorNoStack('ENOENT', 'stat', path);
    return this.statOf(r);
  }

  /** stat without following a final symlink (`throwIfNoEntry` as for stat). */
  lstat(path: string, cred?: Cred): DevStat;
  lstat(path: string, cred: Cred, opts: StatOptions): DevStat | undefined;
  lstat(path: string, cred: Cred = ROOT, opts?: StatOptions): DevStat | undefined {
    if (opts !== undefined) return this.quietStat(path, cred, false, 'lstat', opts);
    const r = this.walk(path, cred, false, 'lstat', true, false);
    if (r.kind === 'miss') throw devfsErrorNoStack('ENOENT', 'lstat', path);
    return this.statOf(r);
  }

  /** stat or lstat with options: `throwIfNoEntry: false` makes a missing name undefined. */
  private quietStat(path: string, cred: Cred, follow: boolean, syscall: string, opts: StatOptions): DevStat | undefined {
    const p = typeof path === 'string' ? path : undefined;
    arg.object(opts, 'options', syscall, p);
    if (arg.optBool(opts.throwIfNoEntry, 'throwIfNoEntry', syscall, true, p)) return this.statOf(this.resolve(path, cred, follow, syscall, true));
    const r = this.walk(path, cred, follow, syscall, true, false);
    return r.kind === 'miss' ? undefined : this.statOf(r);
  }

  /** Directory entries in creation order (no '.' or '..'); needs read permission on the directory. */
  readdir(path: string, cred: Cred = ROOT): DevDirent[] {
    const r = this.resolve(path, cred, true, 'scandir', false);
    if (r.kind !== 'dir') throw devfsError('ENOTDIR', 'scandir', path);
    const a = this.dirAttrs(r.dir);
    if (!permits(cred, a.uid, a.gid, a.mode, R_OK)) throw devfsError('EACCES', 'scandir', path);
    const links = this.links.get(r.path);
    const out: { d: DevDirent; order: number }[] = [];
    for (const [name, e] of liveEntries(r.dir)) {
      if (links?.has(name)) continue;
      if (e instanceof DirNode) {
        if (!this.dirHidden(e)) out.push({ d: { name, ino: this.dirIno(e), type: 'dir' }, order: e.createdGen });
      } else if (!this.attrsOf(e).hidden && this.visibleTo(e, cred)) {
        out.push({ d: { name, ino: e.inode, type: e.isAlias ? 'symlink' : 'char' }, order: e.createdGen });
      }
    }
    if (links) {
      for (const l of links.values()) if (!l.hidden) out.push({ d: { name: l.name, ino: l.ino, type: 'symlink' }, order: l.order });
      out.sort((x, y) => x.order - y.order);
    }
    return out.map((x) => x.d);
  }

  /** Target of a symlink (user link or alias). */
  readlink(path: string, cred: Cred = ROOT): string {
    const r = this.resolve(path, cred, false, 'readlink', false);
    const t = this.linkTarget(r);
    if (t === undefined) throw devfsError('EINVAL', 'readlink', path, 'not a symbolic link');
    return t;
  }

  // ---------------------------------------------------------------- changes

  /** chmod: the owner or root may change the permission bits (per mount). */
  chmod(path: string, mode: number, cred: Cred = ROOT): void {
    this.writable('chmod', path);
    if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777) throw devfsError('EINVAL', 'chmod', path, 'bad mode');
    const r = this.resolve(path, cred, true, 'chmod', false);
    const a = this.mutableAttrs(r);
    if (cred.uid !== 0 && cred.uid !== a.uid) throw devfsError('EPERM', 'chmod', path, 'only the owner or root may chmod');
    a.mode = mode;
    a.touchCtime();
    this.changed(r, a, 'chmod');
  }

  /**
   * chown (-1 leaves a field unchanged): root may do anything; the owner may only change the group
   * to one it belongs to (FreeBSD's rule); everything else is EPERM.
   */
  chown(path: string, uid: number, gid: number, cred: Cred = ROOT): void {
    this.writable('chown', path);
    arg.int(uid, 'uid', 'chown', -1, MAX_ID, path);
    arg.int(gid, 'gid', 'chown', -1, MAX_ID, path);
    const r = this.resolve(path, cred, true, 'chown', false);
    const a = this.mutableAttrs(r);
    const newUid = uid === -1 ? a.uid : uid;
    const newGid = gid === -1 ? a.gid : gid;
    if (cred.uid !== 0) {
      const memberOf = cred.gid === newGid || (cred.groups ?? []).includes(newGid);
      if (cred.uid !== a.uid || newUid !== a.uid || (newGid !== a.gid && !memberOf)) {
        throw devfsError('EPERM', 'chown', path, 'only root may give away files; the owner may only pick one of its groups');
      }
    }
    a.uid = newUid;
    a.gid = newGid;
    a.touchCtime();
    this.changed(r, a, 'chown');
  }

  /** Sets access and modification times (owner or root). */
  utimes(path: string, atimeMs: number, mtimeMs: number, cred: Cred = ROOT): void {
    this.writable('utimes', path);
    if (!Number.isFinite(atimeMs) || !Number.isFinite(mtimeMs)) throw devfsError('EINVAL', 'utimes', path, 'bad time');
    const r = this.resolve(path, cred, true, 'utimes', false);
    const a = this.mutableAttrs(r);
    if (cred.uid !== 0 && cred.uid !== a.uid) throw devfsError('EPERM', 'utimes', path);
    a.atick = Math.round(atimeMs) - TIME_ORIGIN;
    a.mtick = Math.round(mtimeMs) - TIME_ORIGIN;
    a.touchCtime();
    this.changed(r, a, 'utimes');
  }

  /** Creates a user symlink (root only); it covers a device of the same name until unlinked. */
  symlink(target: string, path: string, cred: Cred = ROOT): void {
    this.writable('symlink', path);
    if (typeof target !== 'string' || target.length === 0 || target.length > 1024 || target.includes('\0')) {
      throw devfsError('EINVAL', 'symlink', path, 'bad symlink target');
    }
    arg.cred(cred, 'symlink', path);
    const comps = splitPath(path, 'symlink');
    if (comps.length === 0) throw devfsError('EEXIST', 'symlink', path);
    const base = comps[comps.length - 1];
    if (base === '.' || base === '..') throw devfsError('EEXIST', 'symlink', path);
    const parent = this.resolve(comps.slice(0, -1).join('/'), cred, true, 'symlink', false);
    if (parent.kind !== 'dir') throw devfsError('ENOTDIR', 'symlink', path);
    const existing = this.child(parent, base);
    if (existing && existing.kind !== 'dev') throw devfsError('EEXIST', 'symlink', path);
    // the privilege is checked after the lookup's errors, as FreeBSD's VOP_SYMLINK does
    if (cred.uid !== 0) throw devfsError('EPERM', 'symlink', path, 'only root may create symlinks in devfs');
    const full = joinPath(parent.path, base);
    const rule = this.currentView()?.evaluate(full, 'link', 0, 0);
    const link = new UserLink(base, parent.path, target, this.nextLocalIno++,
      rule && rule.uid >= 0 ? rule.uid : 0, rule && rule.gid >= 0 ? rule.gid : 0, rule && rule.mode >= 0 ? rule.mode : 0o755,
      native.devfsGeneration() + (this.linkSeq++ % 1000) / 1000, Date.now() - TIME_ORIGIN, !!rule?.hidden);
    let m = this.links.get(parent.path);
    if (!m) this.links.set(parent.path, (m = new Map()));
    m.set(base, link);
    this.cache.clear();
    this.kernel.emit({ type: 'CREATE', name: full, mount: this.name, ino: link.ino, uid: link.uid, gid: link.gid, mode: link.mode, data: { target } });
  }

  /** Removes a user symlink, or whites out a device/alias in this mount only. */
  unlink(path: string, cred: Cred = ROOT): void {
    this.writable('unlink', path);
    const comps = splitPath(path, 'unlink');
    const r = this.resolve(path, cred, false, 'unlink', false);
    if (comps.length === 0) throw devfsError('EBUSY', 'unlink', path);
    // POSIX order: write permission on the parent (EACCES) before the type of the entry (EISDIR)
    this.checkParentWritable(comps, cred, 'unlink', path);
    if (r.kind === 'dir') throw devfsError('EISDIR', 'unlink', path);
    if (r.kind === 'link') {
      this.links.get(r.link.dirPath)!.delete(r.link.name);
      if (this.links.get(r.link.dirPath)!.size === 0) this.links.delete(r.link.dirPath);
      this.cache.clear();
      this.kernel.emit({ type: 'DELETE', name: r.path, mount: this.name, ino: r.link.ino });
      return;
    }
    const a = this.mutableAttrs(r);
    a.whiteout = true;
    this.kernel.emit({ type: 'DELETE', name: r.path, mount: this.name, ino: r.dev.inode });
  }

  /**
   * Restores a hidden (whited-out or rule-hidden) device with its old per-mount attributes.
   * Unknown name → ENOENT; visible → EEXIST; in a jail, revealing what the ruleset hides → EPERM.
   */
  mknod(path: string, cred: Cred = ROOT): void {
    this.writable('mknod', path);
    const comps = splitPath(path, 'mknod');
    if (comps.length === 0) throw devfsError('EEXIST', 'mknod', path);
    const parent = this.resolve(comps.slice(0, -1).join('/'), cred, true, 'mknod', false);
    if (parent.kind !== 'dir') throw devfsError('ENOTDIR', 'mknod', path);
    const base = comps[comps.length - 1];
    if (this.child(parent, base, undefined, cred)) throw devfsError('EEXIST', 'mknod', path);
    this.checkParentWritable(comps, cred, 'mknod', path);
    const e = parent.dir.get(base);
    if (!(e instanceof Cdev) || e.createdGen > this.frozenGen || !this.visibleTo(e, cred)) throw devfsError('ENOENT', 'mknod', path, 'no such device to restore');
    const a = this.mutableAttrs({ kind: 'dev', dev: e, path: e.si_name });
    if (a.ruleHidden && this.jail) throw devfsError('EPERM', 'mknod', path, "a jail cannot reveal what its ruleset hides");
    a.whiteout = false;
    a.ruleHidden = false;
    a.touchCtime();
    this.kernel.emit({ type: 'CREATE', name: e.si_name, mount: this.name, ino: e.inode, uid: a.uid, gid: a.gid, mode: a.mode });
  }

  /** Refused: names belong to drivers. */
  rename(from: string, _to: string, _cred: Cred = ROOT): never {
    arg.string(from, 'source path', 'rename');
    arg.string(_to, 'destination path', 'rename', from);
    this.writable('rename', from);
    throw devfsError('EPERM', 'rename', from, 'devfs entries cannot be renamed');
  }

  /** Sets the ruleset applied to entries created from now on (root only; not in a jail). */
  setRuleset(ruleset: number | string, cred: Cred = ROOT): void {
    this.writable('setRuleset', this.name);
    arg.ruleset(ruleset, 'setRuleset', this.name);
    if (arg.cred(cred, 'setRuleset', this.name).uid !== 0) throw devfsError('EPERM', 'setRuleset', this.name);
    if (this.jail) throw devfsError('EPERM', 'setRuleset', this.name, "a jail cannot change its mount's ruleset");
    const view = this.table.view(ruleset);
    this.populate();
    view?.catchUp();
    if (view) view.refs++;
    this.epochs.push({ fromGen: native.devfsGeneration() + 1, view });
    this.cache.clear();
  }

  /** The ruleset number in force for new entries (0 = none). */
  get ruleset(): number {
    return this.currentView()?.ruleset ?? 0;
  }

  /** Re-runs a ruleset (default: the mount's) over existing entries (devfs rule applyset). */
  applyRuleset(ruleset?: number | string, cred: Cred = ROOT): void {
    this.writable('applyRuleset', this.name);
    if (ruleset !== undefined) arg.ruleset(ruleset, 'applyRuleset', this.name);
    if (arg.cred(cred, 'applyRuleset', this.name).uid !== 0) throw devfsError('EPERM', 'applyRuleset', this.name);
    if (this.jail) throw devfsError('EPERM', 'applyRuleset', this.name, 'a jail cannot apply rules to its mount');
    const n = ruleset === undefined ? this.ruleset : this.kernel.rules.resolve(ruleset);
    if (n === 0) return;
    // FreeBSD's DEVFSIO_SAPPLY: a ruleset that does not exist is ESRCH, not a silent success
    if (!this.kernel.rules.has(n)) throw devfsError('ESRCH', 'applyRuleset', String(n), 'no such ruleset');
    this.populate();
    applyRules(this.applier(), (s, a) => this.kernel.rules.evaluate(n, s, a));
    this.cache.clear(); // user links are changed in place, not through mutableAttrs
  }

  /** Applies one rule given in `devfs rule apply` syntax to existing entries. */
  applyRule(spec: string, cred: Cred = ROOT): void {
    this.writable('applyRule', this.name);
    arg.string(spec, 'rule', 'applyRule', this.name);
    if (arg.cred(cred, 'applyRule', this.name).uid !== 0) throw devfsError('EPERM', 'applyRule', this.name);
    if (this.jail) throw devfsError('EPERM', 'applyRule', this.name, 'a jail cannot apply rules to its mount');
    const rule = this.kernel.rules.compileSpec(spec);
    this.populate();
    applyRules(this.applier(), (s, a) => this.kernel.rules.evaluateRule(rule, s, a));
    this.cache.clear(); // user links are changed in place, not through mutableAttrs
  }

  /** Opens a device; resolves with its handle. Flags: fs.constants bits or 'r', 'w', 'r+', 'rn'... */
  open(path: string, flags: number | string, cred: Cred = ROOT): Promise<DevFile> {
    return openDevice(this, path, flags, cred);
  }

  /** Detaches the mount; later calls fail with ENXIO. Open handles stay usable. */
  unmount(): void {
    if (this.unmounted) return;
    this.unmounted = true;
    for (const e of this.epochs) if (e.view) this.table.releaseView(e.view);
    this.epochs = [];
    this.cache.close();
    this.table.mounts.delete(this);
  }

  // ---------------------------------------------------------------- internals

  /** @internal catches up with the kernel: O(changes since the last call). */
  populate(): void {
    if (this.unmounted) throw devfsError('ENXIO', 'populate', this.name, 'mount was unmounted');
    const lo = GENERATION[0];
    const hi = GENERATION[1];
    if (lo === this.seenLo && hi === this.seenHi) return;
    // pending changes sequenced, GENERATION watched: any change after `seen` moves it away from it
    const seen = splitGeneration(watchGeneration());
    this.kernel.syncForeign();
    for (const e of this.epochs) e.view?.catchUp();
    const ok = this.reader.drain((op, ino, gen) => {
      if (op === CHANGE_CLEAR) {
        const o = this.overlay.get(ino);
        if (o !== undefined && o.gen === gen) this.overlay.delete(ino);
      }
    });
    if (!ok) {
      for (const [ino, o] of this.overlay) {
        const d = this.kernel.byIno[ino];
        if (d === undefined || d.gen !== o.gen) this.overlay.delete(ino);
      }
    }
    this.seenLo = seen[0];
    this.seenHi = seen[1];
    this.cache.clear();
  }

  /** @internal forgets every cached path walk (a change this mount's walks depend on). */
  invalidate(): void {
    this.cache.clear();
  }

  /** @internal cached path walks (tests). */
  get cachedWalks(): number {
    return this.cache.size;
  }

  /**
   * @internal resolves a mount-relative path: follows symlinks (at most 32, else ELOOP; the final
   * one only when `follow`), checks search permission on every directory, never leaves the root,
   * and on a miss of the final component runs the kernel's clone handlers when `clone`.
   */
  resolve(path: string, cred: Cred, follow: boolean, syscall: string, clone: boolean): Resolved {
    // a stat's miss is announced (LOOKUP) only to whoever listens; open's always is (walk)
    const r = this.walk(path, cred, follow, syscall, clone, false);
    if (r.kind === 'miss') throw devfsErrorNoStack('ENOENT', syscall, path);
    return r;
  }

  /**
   * @internal resolve, except that with `clone` a missing entry is not thrown but returned as a
   * miss carrying the sequence number of the LOOKUP event the clone miss emitted (0: none was).
   * `announce` false emits that LOOKUP only when a listener or an action rule wants it.
   */
  walk(path: string, cred: Cred, follow: boolean, syscall: string, clone: boolean, announce = true): Resolved | Miss {
    arg.cred(cred, syscall, typeof path === 'string' ? path : undefined);
    this.populate();
    const nsVersion = this.kernel.ns.version;
    if (nsVersion !== this.nsVersion) {
      this.nsVersion = nsVersion;
      this.cache.clear();
    }
    const e = this.cache.get(path, follow);
    if (e !== undefined && (cred.uid === 0 || this.admits(e, cred))) {
      if (e.r !== undefined) return e.r;
      return this.cachedMiss(e, path, cred, follow, syscall, clone, announce);
    }
    return this.walkPath(path, cred, follow, syscall, clone, announce);
  }

  /** True when `cred` passes every check the cached walk `e` made (search permission, si_cred). */
  private admits(e: WalkEntry, cred: Cred): boolean {
    for (const d of e.dirs) {
      const a = this.dirAttrs(d);
      if (!permits(cred, a.uid, a.gid, a.mode, X_OK)) return false;
    }
    if (e.owned !== undefined) for (const d of e.owned) if (!this.visibleTo(d, cred)) return false;
    return true;
  }

  /** A cached negative entry: the final component is missing for everyone (clone as a walk would). */
  private cachedMiss(e: WalkEntry, path: string, cred: Cred, follow: boolean, syscall: string, clone: boolean, announce: boolean): Resolved | Miss {
    if (!clone) throw devfsErrorNoStack('ENOENT', syscall, path);
    const name = e.missName;
    const seq = announce || this.kernel.wantsEvent('LOOKUP') ? this.kernel.emit({ type: 'LOOKUP', name, mount: this.name, uid: cred.uid, gid: cred.gid }) : 0;
    // a clone made it: walk again (it is found now; its LOOKUP was announced above)
    if (this.cloneMiss(name, cred, e.missDir!)) return this.walkPath(path, cred, follow, syscall, clone, announce);
    return seq === 0 ? UNANNOUNCED_MISS : { kind: 'miss', seq };
  }

  /** The walk itself (walk without the cache); remembers what it found when nothing changed meanwhile. */
  private walkPath(path: string, cred: Cred, follow: boolean, syscall: string, clone: boolean, announce: boolean): Resolved | Miss {
    const epoch = this.cache.epoch;
    const dirs: DirNode[] = [];
    let owned: Cdev[] | undefined;
    let comps = splitPath(path, syscall);
    const root: Resolved = { kind: 'dir', dir: this.kernel.ns.root, path: '' };
    let cur: Resolved = root;
    let stack: Resolved[] = [];
    let loops = 0;
    let i = 0;
    // True while `cur` is reached by the plain walk of `path` (no '.', '..' or symlink so far).
    let straight = true;
    let missSeq = 0;
    while (i < comps.length) {
      const c = comps[i];
      const last = i === comps.length - 1;
      if (cur.kind !== 'dir') throw devfsError('ENOTDIR', syscall, path);
      const da = this.dirAttrs(cur.dir);
      if (!permits(cred, da.uid, da.gid, da.mode, X_OK)) throw devfsError('EACCES', syscall, path);
      dirs.push(cur.dir);
      if (c === '.' || c === '..') {
        straight = false;
        if (c === '..') cur = stack.pop() ?? root;
        i++;
        continue;
      }
      // The final component of a normalised path: the path itself is the entry's global key.
      const whole = straight && last && path.length === (cur.path === '' ? c.length : cur.path.length + 1 + c.length);
      let next = this.child(cur, c, whole ? path : undefined, cred);
      if (!next && last) {
        const name = joinPath(cur.path, c);
        // missing for everyone (root sees all a caller may): remembered as a negative entry
        if (this.cache.epoch === epoch && (cred.uid === 0 || !this.child(cur, c, whole ? path : undefined, ROOT))) {
          this.cache.set(path, follow, new WalkEntry(undefined, dirs, owned, cur, name));
        }
        if (clone) {
          if (announce || this.kernel.wantsEvent('LOOKUP')) missSeq = this.kernel.emit({ type: 'LOOKUP', name, mount: this.name, uid: cred.uid, gid: cred.gid });
          next = this.cloneMiss(name, cred, cur);
        }
      }
      if (!next) {
        if (clone) return { kind: 'miss', seq: missSeq };
        throw devfsErrorNoStack('ENOENT', syscall, path);
      }
      if (next.kind === 'dev' && next.dev.ext?.cred !== undefined) (owned ??= []).push(next.dev);
      const target = (!last || follow) ? this.linkTarget(next) : undefined;
      if (target !== undefined) {
        if (++loops > MAXSYMLINKS) throw devfsError('ELOOP', syscall, path);
        straight = false;
        const tcomps = splitPath(target, syscall);
        if (target.startsWith('/')) { cur = root; stack = []; }
        comps = tcomps.concat(comps.slice(i + 1));
        i = 0;
        continue;
      }
      if (next.kind === 'dir') stack.push(cur);
      cur = next;
      i++;
    }
    if (path.endsWith('/') && cur.kind !== 'dir') throw devfsError('ENOTDIR', syscall, path);
    if (this.cache.epoch === epoch) this.cache.set(path, follow, new WalkEntry(cur, dirs, owned, undefined, ''));
    return cur;
  }

  /** @internal effective attributes of a device in this mount (scratch object: copy what you keep). */
  attrsOf(d: Cdev): EffectiveAttrs {
    const e = this.eff;
    const o = this.overlay.get(d.inode);
    if (o !== undefined && o.gen === d.gen) {
      e.whiteout = o.whiteout; e.ruleHidden = o.ruleHidden; e.hidden = o.whiteout || o.ruleHidden;
      e.uid = o.uid; e.gid = o.gid; e.mode = o.mode; e.atick = o.atick; e.mtick = o.mtick; e.ctick = o.ctick;
    } else {
      const r = this.viewFor(d.createdGen)?.dev(d);
      e.whiteout = false;
      e.ruleHidden = r !== undefined && r.hidden;
      e.hidden = e.ruleHidden;
      e.uid = r !== undefined && r.uid >= 0 ? r.uid : d.uid;
      e.gid = r !== undefined && r.gid >= 0 ? r.gid : d.gid;
      e.mode = r !== undefined && r.mode >= 0 ? r.mode : d.mode;
      e.atick = e.mtick = e.ctick = -1;
    }
    if (d.createdGen > this.frozenGen) e.hidden = true;
    return e;
  }

  /** @internal per-mount attributes of a directory. */
  dirAttrs(node: DirNode): DirentAttrs {
    if (node.parent === undefined) return this.rootAttrs;
    const o = this.dirOverlay.get(node);
    if (o) return o;
    const r = this.viewFor(node.createdGen)?.dir(node);
    if (!r) return DEFAULT_DIR;
    const a = new DirentAttrs(0, r.uid >= 0 ? r.uid : 0, r.gid >= 0 ? r.gid : 0, r.mode >= 0 ? r.mode : DIR_MODE, r.hidden);
    return a;
  }

  /** @internal the stat of a resolved entry. */
  statOf(r: Resolved): DevStat {
    const s = new DevStatImpl();
    if (r.kind === 'dir') {
      const a = this.dirAttrs(r.dir);
      s.ino = this.dirIno(r.dir);
      s.mode = S_IFDIR | a.mode; s.uid = a.uid; s.gid = a.gid; s.nlink = 2;
      this.times(s, a.atick, a.mtick, a.ctick, r.dir.parent === undefined ? this.rootAttrs.ctick : r.dir.ctick);
    } else if (r.kind === 'link') {
      const l = r.link;
      s.ino = l.ino; s.mode = S_IFLNK | l.mode; s.uid = l.uid; s.gid = l.gid; s.size = Buffer.byteLength(l.target);
      this.times(s, l.atick, l.mtick, l.ctick, l.birth);
    } else {
      const d = r.dev;
      const a = this.attrsOf(d);
      s.ino = d.inode;
      if (d.isAlias) {
        s.mode = S_IFLNK | 0o755;
        s.size = Buffer.byteLength(this.linkTarget(r)!);
      } else {
        s.mode = S_IFCHR | a.mode;
        s.rdev = d.rdev;
      }
      s.uid = a.uid; s.gid = a.gid;
      this.times(s, a.atick, a.mtick, a.ctick, d.ctick);
    }
    return s;
  }

  private times(s: DevStatImpl, at: number, mt: number, ct: number, birth: number): void {
    s.birthtimeMs = TIME_ORIGIN + birth;
    s.atimeMs = TIME_ORIGIN + (at >= 0 ? at : birth);
    s.mtimeMs = TIME_ORIGIN + (mt >= 0 ? mt : birth);
    s.ctimeMs = TIME_ORIGIN + (ct >= 0 ? ct : birth);
  }

  /**
   * @internal the visible entry `name` in directory `dir`, if any (user links cover devices);
   * `key`, when the caller has it, is the entry's full global name (saves building it); `cred`,
   * the caller (a jail shows a device made for a credential only to that uid).
   */
  child(dir: Resolved & { kind: 'dir' }, name: string, key?: string, cred: Cred = ROOT): Resolved | undefined {
    const l = this.links.get(dir.path)?.get(name);
    if (l !== undefined) return l.hidden ? undefined : { kind: 'link', link: l, path: l.path };
    const e = key === undefined ? dir.dir.get(name) : dir.dir.entries.get(key);
    if (e === undefined) return undefined;
    if (e instanceof DirNode) return this.dirHidden(e) ? undefined : { kind: 'dir', dir: e, path: e.path };
    return this.attrsOf(e).hidden || !this.visibleTo(e, cred) ? undefined : { kind: 'dev', dev: e, path: e.si_name };
  }

  /**
   * @internal per-caller visibility (FreeBSD's devfs_prison_check): in a jail mount a device made
   * for a credential (si_cred, e.g. another user's pts/N) exists only for that uid and for root.
   */
  visibleTo(d: Cdev, cred: Cred): boolean {
    if (!this.jail || cred.uid === 0) return true;
    const owner = d.ext?.cred;
    return owner === undefined || owner.uid === cred.uid;
  }

  private dirHidden(node: DirNode): boolean {
    if (node.createdGen > this.frozenGen) return true;
    return this.dirAttrs(node).hidden;
  }

  /** A lookup miss (its LOOKUP event already emitted): the clone handlers may make the entry. */
  private cloneMiss(name: string, cred: Cred, dir: Resolved & { kind: 'dir' }): Resolved | undefined {
    if (this.readOnly) return undefined;
    const dev = this.kernel.runCloners(name, cred);
    if (!dev) return undefined;
    this.populate();
    const base = name.slice(name.lastIndexOf('/') + 1);
    return this.child(dir, base, undefined, cred);
  }

  /** @internal symlink target of a user link or alias, else undefined. */
  linkTarget(r: Resolved): string | undefined {
    if (r.kind === 'link') return r.link.target;
    if (r.kind === 'dev' && r.dev.isAlias) {
      const t = r.dev.ext?.aliasOf;
      return t ? aliasTarget(r.dev.si_name, t.si_name) : undefined;
    }
    return undefined;
  }

  private dirIno(node: DirNode): number {
    if (node.parent === undefined) return 2;
    let ino = this.dirInos.get(node);
    if (ino === undefined) this.dirInos.set(node, (ino = this.nextLocalIno++));
    return ino;
  }

  private currentView(): RulesetView | undefined {
    return this.epochs.length ? this.epochs[this.epochs.length - 1].view : undefined;
  }

  private viewFor(createdGen: number): RulesetView | undefined {
    const ep = this.epochs;
    for (let i = ep.length - 1; i > 0; i--) if (ep[i].fromGen <= createdGen) return ep[i].view;
    return ep.length ? ep[0].view : undefined;
  }

  /** @internal the per-mount attributes record of an entry, created from its current effective state. */
  mutableAttrs(r: Resolved): DirentAttrs {
    // the caller changes what it gets (attributes, whiteout, rule-hidden): cached walks may differ
    this.cache.clear();
    if (r.kind === 'link') return r.link;
    if (r.kind === 'dir') {
      if (r.dir.parent === undefined) return this.rootAttrs;
      let o = this.dirOverlay.get(r.dir);
      if (!o) {
        const cur = this.dirAttrs(r.dir);
        o = new DirentAttrs(0, cur.uid, cur.gid, cur.mode, cur.ruleHidden);
        this.dirOverlay.set(r.dir, o);
      }
      return o;
    }
    const d = r.dev;
    let o = this.overlay.get(d.inode);
    if (o === undefined || o.gen !== d.gen) {
      const e = this.attrsOf(d);
      o = new DirentAttrs(d.gen, e.uid, e.gid, e.mode, e.ruleHidden);
      o.whiteout = e.whiteout;
      this.overlay.set(d.inode, o);
    }
    return o;
  }

  private changed(r: Resolved, a: DirentAttrs, what: string): void {
    const ino = r.kind === 'dev' ? r.dev.inode : r.kind === 'link' ? r.link.ino : this.dirIno(r.dir);
    // a device's identity, for COPY (persistence never grants: see kernel/origin.ts)
    const data = r.kind === 'dev' ? { op: what, driver: r.dev.si_devsw.d_name, unit: r.dev.unit, persistent: r.dev.persistent } : { op: what };
    this.kernel.emit({ type: 'CHANGE', name: r.path, mount: this.name, ino, uid: a.uid, gid: a.gid, mode: a.mode, data });
  }

  private writable(syscall: string, path: string): void {
    if (this.unmounted) throw devfsError('ENXIO', syscall, path, 'mount was unmounted');
    if (this.readOnly) throw devfsError('EROFS', syscall, path);
  }

  private checkParentWritable(comps: string[], cred: Cred, syscall: string, path: string): void {
    const parent = this.resolve(comps.slice(0, -1).join('/'), cred, true, syscall, false);
    if (parent.kind !== 'dir') throw devfsError('ENOTDIR', syscall, path);
    const a = this.dirAttrs(parent.dir);
    if (!permits(cred, a.uid, a.gid, a.mode, W_OK)) throw devfsError('EACCES', syscall, path, 'parent directory is not writable');
  }

  private applier(): RuleApplier {
    const jailView = this.jail ? this.epochs[0].view : undefined;
    return {
      kernel: this.kernel,
      attrsOf: (d) => this.attrsOf(d),
      dirAttrs: (n) => this.dirAttrs(n),
      set: (r, attrs) => {
        const a = this.mutableAttrs(r);
        let hidden = attrs.hidden;
        if (jailView && !hidden) {
          const imposed = r.kind === 'dev' ? jailView.dev(r.dev) : r.kind === 'dir' ? jailView.dir(r.dir) : undefined;
          if (imposed?.hidden) hidden = true;
        }
        const changed = a.uid !== attrs.uid || a.gid !== attrs.gid || a.mode !== attrs.mode;
        a.ruleHidden = hidden;
        a.uid = attrs.uid; a.gid = attrs.gid; a.mode = attrs.mode;
        // like chmod/chown: a rule that changed the owner or mode is a CHANGE (op 'rule') of a visible entry
        if (changed && !hidden && r.kind !== 'dir') this.changed(r, a, 'rule');
      },
      links: () => [...this.links.values()].flatMap((m) => [...m.values()]),
    };
  }
}

/** A miss whose LOOKUP nobody received (shared: nothing in it differs). */
const UNANNOUNCED_MISS: Miss = Object.freeze({ kind: 'miss', seq: 0 }) as Miss;

const DEFAULT_DIR = Object.freeze(new DirentAttrs(0, 0, 0, DIR_MODE, false)) as DirentAttrs;

/** Mode bits for a character device stat, exported for drivers' fo_stat. */
export const CHR_MODE = S_IFCHR;
