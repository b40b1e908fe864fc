import { D_AUTOOWN, D_TRACKCLOSE } from '@devfs/core';
import type { Cred } from '@devfs/core';
import { APPLY_SPECS, evaluateRules, ModelRule, RULESETS, RuleOut, Subject } from './rulesets';
import { CLONE_NAME } from './ops';

/**
 * The reference model of the devfs semantics (DESIGN.md §3–§5, the core README, issue 14), for the
 * model-based test. Plain maps and straightforward code: a global name space of devices and the
 * directories their names imply, and per mount only what that mount changed (attributes,
 * whiteouts, user symlinks) over what its ruleset made of each entry at creation. Every operation
 * returns what the real call must return, or throws ModelError with the code it must fail with.
 */

/** The error an operation must fail with. */
export class ModelError extends Error {
  constructor(readonly code: string) { super(code); }
}
function fail(code: string): never {
  throw new ModelError(code);
}

/** A device or alias (never reused: a re-created name is a new MDev). */
export interface MDev {
  id: number; name: string; flags: number; uid: number; gid: number; mode: number;
  defUid: number; defGid: number; seq: number; live: boolean; forUid?: number;
  aliasOf?: MDev; aliases: MDev[]; parent?: MDev; children: MDev[]; opens: number;
  /** d_close calls so far (every close with D_TRACKCLOSE, else the last one; none once destroyed). */
  closes: number;
}
/** A directory of the global name space (exists while a device name lies below it). */
export interface MDir { path: string; seq: number }
/** What a mount changed about one entry. */
interface Over { uid: number; gid: number; mode: number; whiteout: boolean; ruleHidden: boolean }
/** A user symlink of one mount. */
interface MLink { path: string; target: string; uid: number; gid: number; mode: number; hidden: boolean; seq: number }
/** One mount. `frozenSeq`: a read-only mount shows nothing created after it. */
export interface MMount {
  jail: boolean; readOnly: boolean; frozenSeq: number; epochs: { from: number; rs: number }[];
  root: Over; devs: Map<MDev, Over>; dirs: Map<MDir, Over>; links: Map<string, MLink>; unmounted: boolean;
}
/** An open handle. */
export interface MHandle { dev: MDev; m: MMount; flags: 'r' | 'w' | 'r+'; closed: boolean }
/** What a path resolves to in a mount. */
export type MNode =
  | { kind: 'dir'; dir: MDir | undefined; path: string }
  | { kind: 'dev'; dev: MDev; path: string }
  | { kind: 'link'; link: MLink; path: string };
/** stat as compared: type, permission bits, owner, the device shown (model id), a link's target. */
export interface StatSummary { type: 'char' | 'dir' | 'symlink'; mode: number; uid: number; gid: number; dev?: number; target?: string }

const MAXSYMLINKS = 32;
const DIR_MODE = 0o555;

const join = (dir: string, name: string): string => (dir === '' ? name : `${dir}/${name}`);
const split = (path: string): string[] => path.split('/').filter((c) => c !== '');
const parentOf = (path: string): string => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '');

/** POSIX access check against an entry's own attributes; uid 0 passes. */
export function permits(cred: Cred, a: { uid: number; gid: number; mode: number }, want: number): boolean {
  if (cred.uid === 0) return true;
  const bits = cred.uid === a.uid ? a.mode >> 6 : (cred.gid === a.gid || (cred.groups ?? []).includes(a.gid)) ? a.mode >> 3 : a.mode;
  return (bits & want) === want;
}

/** The reference model. */
export class Model {
  readonly devs: MDev[] = [];
  readonly mounts: MMount[] = [];
  readonly handles: MHandle[] = [];
  /** Global entries by full name: devices, aliases and directories. */
  readonly entries = new Map<string, MDev | MDir>();
  /** The event stream: `TYPE name` and `@mount#` for a mount's event, in emission order. */
  readonly events: string[] = [];
  private seq = 0;
  /** Whether the last resolve announced a miss (LOOKUP). */
  private lookedUp = false;

  private emit(type: string, name: string, m?: MMount): void {
    this.events.push(`${type} ${name}${m ? ` @${this.mounts.indexOf(m)}` : ''}`);
  }

  // ------------------------------------------------------------ kernel side

  /** make_dev: EEXIST when the name is taken or collides as a path prefix; creates its directories. */
  makeDev(name: string, flags: number, uid: number, gid: number, mode: number, forUid?: number): MDev {
    this.checkFree(name);
    const d: MDev = { id: this.devs.length, name, flags, uid, gid, mode, defUid: uid, defGid: gid, seq: ++this.seq,
      live: true, forUid, aliases: [], children: [], opens: 0, closes: 0 };
    const comps = split(name);
    for (let i = 1; i < comps.length; i++) {
      const p = comps.slice(0, i).join('/');
      if (!this.entries.has(p)) this.entries.set(p, { path: p, seq: d.seq });
    }
    this.entries.set(name, d);
    this.emit('REGISTER', name);
    this.devs.push(d);
    return d;
  }

  /** make_dev_alias: ENXIO for a destroyed target; the alias copies its owner, mode 0755. */
  makeDevAlias(target: MDev, name: string): void {
    if (!target.live) fail('ENXIO');
    const a = this.makeDev(name, target.flags, target.uid, target.gid, 0o755);
    a.aliasOf = target;
    target.aliases.push(a);
  }

  /** dev_depends: EINVAL for itself or a cycle, ENXIO when either is destroyed; re-parents the child. */
  devDepends(parent: MDev, child: MDev): void {
    if (parent === child) fail('EINVAL');
    // destroying the child must not destroy the parent (through children or aliases)
    const reach = (d: MDev): boolean => d === parent || d.children.some(reach) || d.aliases.some(reach);
    if (reach(child)) fail('EINVAL');
    if (!parent.live || !child.live) fail('ENXIO');
    if (child.parent) child.parent.children = child.parent.children.filter((c) => c !== child);
    child.parent = parent;
    parent.children.push(child);
  }

  /** destroy_dev: the device, its children and its aliases (depth first); a second call does nothing. */
  destroyDev(d: MDev): void {
    if (!d.live) return;
    for (const c of [...d.children]) this.destroyDev(c);
    for (const a of [...d.aliases]) this.destroyDev(a);
    d.live = false;
    this.emit('UNREGISTER', d.name);
    this.entries.delete(d.name);
    if (d.parent) d.parent.children = d.parent.children.filter((c) => c !== d);
    if (d.aliasOf) d.aliasOf.aliases = d.aliasOf.aliases.filter((a) => a !== d);
    const comps = split(d.name);
    for (let i = comps.length - 1; i >= 1; i--) {
      const p = comps.slice(0, i).join('/');
      if (![...this.entries.keys()].some((k) => k.startsWith(`${p}/`))) this.entries.delete(p);
    }
  }

  /** EEXIST when `name` is taken, is a directory, or lies below a device. */
  private checkFree(name: string): void {
    if (this.entries.has(name)) fail('EEXIST');
    const comps = split(name);
    for (let i = 1; i < comps.length; i++) {
      const e = this.entries.get(comps.slice(0, i).join('/'));
      if (e && 'id' in e) fail('EEXIST');
    }
  }

  // ------------------------------------------------------------ mounts

  /** kernel.mount: ESRCH for a missing ruleset, EINVAL for a jail without one. */
  mount(ruleset: number, jail: boolean, readOnly: boolean): void {
    if (ruleset !== 0 && !RULESETS.has(ruleset)) fail('ESRCH');
    if (jail && ruleset === 0) fail('EINVAL');
    this.mounts.push({ jail, readOnly, frozenSeq: readOnly ? this.seq : Infinity, epochs: [{ from: 0, rs: ruleset }],
      root: { uid: 0, gid: 0, mode: DIR_MODE, whiteout: false, ruleHidden: false }, devs: new Map(), dirs: new Map(),
      links: new Map(), unmounted: false });
  }

  /** unmount: later calls on the mount are ENXIO. */
  unmount(m: MMount): void {
    m.unmounted = true;
  }

  /** The ruleset that was in force when an entry with creation number `seq` appeared. */
  private rulesetAt(m: MMount, seq: number): number {
    for (let i = m.epochs.length - 1; i > 0; i--) if (m.epochs[i].from <= seq) return m.epochs[i].rs;
    return m.epochs[0].rs;
  }

  private rulesOut(rs: number, s: Subject): RuleOut {
    const out: RuleOut = { hidden: false, uid: -1, gid: -1, mode: -1 };
    evaluateRules(RULESETS.get(rs) ?? [], s, out);
    return out;
  }

  /** Effective attributes of a device in a mount, and whether it is hidden there. */
  devAttrs(m: MMount, d: MDev): Over & { hidden: boolean } {
    const o = m.devs.get(d);
    let a: Over;
    if (o) a = o;
    else {
      const r = this.rulesOut(this.rulesetAt(m, d.seq), { path: d.name, kind: d.aliasOf ? 'link' : 'dev', dflags: d.flags });
      a = { uid: r.uid >= 0 ? r.uid : d.uid, gid: r.gid >= 0 ? r.gid : d.gid, mode: r.mode >= 0 ? r.mode : d.mode, whiteout: false, ruleHidden: r.hidden };
    }
    return { ...a, hidden: a.whiteout || a.ruleHidden || d.seq > m.frozenSeq };
  }

  /** Effective attributes of a directory (undefined = the root). */
  dirAttrs(m: MMount, dir: MDir | undefined): Over {
    if (!dir) return m.root;
    const o = m.dirs.get(dir);
    if (o) return o;
    const r = this.rulesOut(this.rulesetAt(m, dir.seq), { path: dir.path, kind: 'dir', dflags: 0 });
    return { uid: r.uid >= 0 ? r.uid : 0, gid: r.gid >= 0 ? r.gid : 0, mode: r.mode >= 0 ? r.mode : DIR_MODE, whiteout: false, ruleHidden: r.hidden };
  }

  private dirHidden(m: MMount, dir: MDir): boolean {
    return dir.seq > m.frozenSeq || this.dirAttrs(m, dir).ruleHidden;
  }

  /** In a jail, a device made for a credential exists only for that uid and root. */
  private visibleTo(m: MMount, d: MDev, cred: Cred): boolean {
    return !m.jail || cred.uid === 0 || d.forUid === undefined || d.forUid === cred.uid;
  }

  /** The visible entry `name` of directory `dir`: a user link covers anything of its name. */
  child(m: MMount, dir: string, name: string, cred: Cred): MNode | undefined {
    const path = join(dir, name);
    const l = m.links.get(path);
    if (l) return l.hidden ? undefined : { kind: 'link', link: l, path };
    const e = this.entries.get(path);
    if (!e) return undefined;
    if (!('id' in e)) return this.dirHidden(m, e) ? undefined : { kind: 'dir', dir: e, path };
    return this.devAttrs(m, e).hidden || !this.visibleTo(m, e, cred) ? undefined : { kind: 'dev', dev: e, path };
  }

  /** Target of a user link or alias (an alias is relative: one '../' per directory level). */
  linkTarget(n: MNode): string | undefined {
    if (n.kind === 'link') return n.link.target;
    if (n.kind === 'dev' && n.dev.aliasOf) return '../'.repeat(split(n.dev.name).length - 1) + n.dev.aliasOf.name;
    return undefined;
  }

  /**
   * Path resolution: search permission on every directory, symlinks (at most 32), '..' stays in.
   * With `clone` (stat, lstat, open) a miss of the last component runs the clone handler: a free name 'clN'
   * becomes a device (root 0600), which this mount then shows or hides as any other.
   */
  resolve(m: MMount, path: string, cred: Cred, follow: boolean, clone = false): MNode {
    if (m.unmounted) fail('ENXIO');
    this.lookedUp = false;
    const root: MNode = { kind: 'dir', dir: undefined, path: '' };
    let comps = split(path);
    let cur: MNode = root;
    let stack: MNode[] = [];
    let loops = 0;
    for (let i = 0; i < comps.length;) {
      const c = comps[i];
      const last = i === comps.length - 1;
      if (cur.kind !== 'dir') fail('ENOTDIR');
      if (!permits(cred, this.dirAttrs(m, cur.dir), 1)) fail('EACCES');
      if (c === '.' || c === '..') {
        if (c === '..') cur = stack.pop() ?? root;
        i++;
        continue;
      }
      let next = this.child(m, cur.path, c, cred);
      if (!next && last && clone) {
        this.emit('LOOKUP', join(cur.path, c), m);
        this.lookedUp = true;
        if (!m.readOnly) next = this.cloneMiss(m, join(cur.path, c), cred);
      }
      if (!next) fail('ENOENT');
      const target = !last || follow ? this.linkTarget(next) : undefined;
      if (target !== undefined) {
        if (++loops > MAXSYMLINKS) fail('ELOOP');
        if (target.startsWith('/')) { cur = root; stack = []; }
        comps = split(target).concat(comps.slice(i + 1));
        i = 0;
        continue;
      }
      if (next.kind === 'dir') stack.push(cur);
      cur = next;
      i++;
    }
    return cur;
  }

  private cloneMiss(m: MMount, name: string, cred: Cred): MNode | undefined {
    if (!CLONE_NAME.test(name)) return undefined;
    try {
      this.makeDev(name, 0, 0, 0, 0o600);
    } catch {
      return undefined; // EEXIST: the handler declines
    }
    return this.child(m, parentOf(name), name.slice(name.lastIndexOf('/') + 1), cred);
  }

  /** What stat/lstat report for a resolved entry. */
  summary(m: MMount, n: MNode): StatSummary {
    if (n.kind === 'dir') {
      const a = this.dirAttrs(m, n.dir);
      return { type: 'dir', mode: a.mode, uid: a.uid, gid: a.gid };
    }
    if (n.kind === 'link') return { type: 'symlink', mode: n.link.mode, uid: n.link.uid, gid: n.link.gid, target: n.link.target };
    const a = this.devAttrs(m, n.dev);
    if (n.dev.aliasOf) return { type: 'symlink', mode: 0o755, uid: a.uid, gid: a.gid, target: this.linkTarget(n) };
    return { type: 'char', mode: a.mode, uid: a.uid, gid: a.gid, dev: n.dev.id };
  }

  /** readdir: visible entries in creation order. */
  readdir(m: MMount, path: string, cred: Cred): { name: string; type: string }[] {
    const n = this.resolve(m, path, cred, true);
    if (n.kind !== 'dir') fail('ENOTDIR');
    if (!permits(cred, this.dirAttrs(m, n.dir), 4)) fail('EACCES');
    const out: { name: string; type: string; seq: number }[] = [];
    const names = new Set<string>();
    for (const key of [...this.entries.keys(), ...m.links.keys()]) {
      if (key === '' || parentOf(key) !== n.path) continue;
      const name = key.slice(n.path === '' ? 0 : n.path.length + 1);
      if (names.has(name)) continue;
      names.add(name);
      const c = this.child(m, n.path, name, cred);
      if (!c) continue;
      const seq = c.kind === 'link' ? c.link.seq : c.kind === 'dir' ? c.dir!.seq : c.dev.seq;
      out.push({ name, type: c.kind === 'dir' ? 'dir' : c.kind === 'link' || c.dev.aliasOf ? 'symlink' : 'char', seq });
    }
    return out.sort((x, y) => x.seq - y.seq).map(({ name, type }) => ({ name, type }));
  }

  /** readlink: EINVAL when the entry is not a link. */
  readlink(m: MMount, path: string, cred: Cred): string {
    const t = this.linkTarget(this.resolve(m, path, cred, false));
    return t ?? fail('EINVAL');
  }

  /** The per-mount record of an entry, created from its current effective state. */
  private own(m: MMount, n: MNode): Over {
    if (n.kind === 'dir') {
      if (!n.dir) return m.root;
      let o = m.dirs.get(n.dir);
      if (!o) m.dirs.set(n.dir, (o = { ...this.dirAttrs(m, n.dir) }));
      return o;
    }
    if (n.kind === 'link') return n.link as unknown as Over; // (chmod/chown follow links: not reached)
    let o = m.devs.get(n.dev);
    if (!o) {
      const { uid, gid, mode, whiteout, ruleHidden } = this.devAttrs(m, n.dev);
      m.devs.set(n.dev, (o = { uid, gid, mode, whiteout, ruleHidden }));
    }
    return o;
  }

  private writable(m: MMount): void {
    if (m.unmounted) fail('ENXIO');
    if (m.readOnly) fail('EROFS');
  }

  /** chmod: the owner or root, per mount. */
  chmod(m: MMount, path: string, mode: number, cred: Cred): void {
    this.writable(m);
    const n = this.resolve(m, path, cred, true);
    const o = this.own(m, n);
    if (cred.uid !== 0 && cred.uid !== o.uid) fail('EPERM');
    o.mode = mode;
    this.emit('CHANGE', n.path, m);
  }

  /** chown: root; the owner may only change the group to one of its own. */
  chown(m: MMount, path: string, uid: number, gid: number, cred: Cred): void {
    this.writable(m);
    const n = this.resolve(m, path, cred, true);
    const o = this.own(m, n);
    const nu = uid === -1 ? o.uid : uid;
    const ng = gid === -1 ? o.gid : gid;
    if (cred.uid !== 0) {
      const member = cred.gid === ng || (cred.groups ?? []).includes(ng);
      if (cred.uid !== o.uid || nu !== o.uid || (ng !== o.gid && !member)) fail('EPERM');
    }
    o.uid = nu;
    o.gid = ng;
    this.emit('CHANGE', n.path, m);
  }

  /** The parent directory of `path` must be writable (EACCES), after resolving it (its errors). */
  private parentWritable(m: MMount, comps: string[], cred: Cred): MNode & { kind: 'dir' } {
    const p = this.resolve(m, comps.slice(0, -1).join('/'), cred, true);
    if (p.kind !== 'dir') fail('ENOTDIR');
    if (!permits(cred, this.dirAttrs(m, p.dir), 2)) fail('EACCES');
    return p;
  }

  /** unlink: removes a user link, whites out a device or alias in this mount. */
  unlink(m: MMount, path: string, cred: Cred): void {
    this.writable(m);
    const comps = split(path);
    const n = this.resolve(m, path, cred, false);
    if (comps.length === 0) fail('EBUSY');
    // POSIX (and FreeBSD's lookup for DELETE): write permission on the parent, then the type
    this.parentWritable(m, comps, cred);
    if (n.kind === 'dir') fail('EISDIR');
    if (n.kind === 'link') m.links.delete(n.path);
    else this.own(m, n).whiteout = true;
    this.emit('DELETE', n.path, m);
  }

  /** mknod: un-hides a hidden device with its old attributes; a jail may not reveal what its rules hide. */
  mknod(m: MMount, path: string, cred: Cred): void {
    this.writable(m);
    const comps = split(path);
    if (comps.length === 0) fail('EEXIST');
    const p = this.resolve(m, comps.slice(0, -1).join('/'), cred, true);
    if (p.kind !== 'dir') fail('ENOTDIR');
    const base = comps[comps.length - 1];
    if (this.child(m, p.path, base, cred)) fail('EEXIST');
    this.parentWritable(m, comps, cred);
    const e = this.entries.get(join(p.path, base));
    if (!e || !('id' in e) || e.seq > m.frozenSeq || !this.visibleTo(m, e, cred)) fail('ENOENT');
    const o = this.own(m, { kind: 'dev', dev: e, path: e.name });
    if (o.ruleHidden && m.jail) fail('EPERM');
    o.whiteout = false;
    o.ruleHidden = false;
    this.emit('CREATE', e.name, m);
  }

  /** symlink (root): covers a device of the same name; rules of the current ruleset apply to it. */
  symlink(m: MMount, target: string, path: string, cred: Cred): void {
    this.writable(m);
    const comps = split(path);
    if (comps.length === 0) fail('EEXIST');
    const p = this.resolve(m, comps.slice(0, -1).join('/'), cred, true);
    if (p.kind !== 'dir') fail('ENOTDIR');
    const full = join(p.path, comps[comps.length - 1]);
    const existing = this.child(m, p.path, comps[comps.length - 1], cred);
    if (existing && existing.kind !== 'dev') fail('EEXIST');
    // FreeBSD checks the privilege in VOP_SYMLINK, after the lookup's errors
    if (cred.uid !== 0) fail('EPERM');
    const r = this.rulesOut(m.epochs[m.epochs.length - 1].rs, { path: full, kind: 'link', dflags: 0 });
    m.links.set(full, { path: full, target, uid: Math.max(r.uid, 0), gid: Math.max(r.gid, 0), mode: r.mode >= 0 ? r.mode : 0o755,
      hidden: r.hidden, seq: ++this.seq });
    this.emit('CREATE', full, m);
  }

  /** Names belong to drivers: renaming is refused (a change, so EROFS / ENXIO first). */
  rename(m: MMount): void {
    this.writable(m);
    fail('EPERM');
  }

  /** setRuleset (root, not in a jail): applies to entries created from now on. */
  setRuleset(m: MMount, rs: number, cred: Cred): void {
    this.writable(m);
    if (cred.uid !== 0 || m.jail) fail('EPERM');
    if (rs !== 0 && !RULESETS.has(rs)) fail('ESRCH');
    m.epochs.push({ from: this.seq + 1, rs });
  }

  /** devfs rule apply / applyset: rules re-run over every existing entry (whiteouts stay). */
  applyRules(m: MMount, rules: readonly ModelRule[] | undefined, cred: Cred, invalid = false): void {
    this.writable(m);
    if (cred.uid !== 0 || m.jail) fail('EPERM');
    if (invalid) fail('EINVAL');
    if (!rules) fail('ESRCH');
    const run = (s: Subject, cur: { uid: number; gid: number; mode: number; hidden: boolean }, set: (o: RuleOut) => void): void => {
      const out: RuleOut = { ...cur };
      if (evaluateRules(rules, s, out)) set(out);
    };
    for (const e of this.walkOrder()) {
      if ('id' in e) {
        const a = this.devAttrs(m, e);
        run({ path: e.name, kind: e.aliasOf ? 'link' : 'dev', dflags: e.flags }, { ...a, hidden: a.ruleHidden }, (o) => {
          const own = this.own(m, { kind: 'dev', dev: e, path: e.name });
          const changed = own.uid !== o.uid || own.gid !== o.gid || own.mode !== o.mode;
          own.ruleHidden = o.hidden; own.uid = o.uid; own.gid = o.gid; own.mode = o.mode;
          // like chmod: a rule that changed a visible device's owner or mode is a CHANGE
          if (changed && !o.hidden) this.emit('CHANGE', e.name, m);
        });
      } else {
        const a = this.dirAttrs(m, e);
        run({ path: e.path, kind: 'dir', dflags: 0 }, { ...a, hidden: a.ruleHidden }, (o) => {
          const own = this.own(m, { kind: 'dir', dir: e, path: e.path });
          own.ruleHidden = o.hidden; own.uid = o.uid; own.gid = o.gid; own.mode = o.mode;
        });
      }
    }
    for (const l of m.links.values()) {
      run({ path: l.path, kind: 'link', dflags: 0 }, l, (o) => { l.hidden = o.hidden; l.uid = o.uid; l.gid = o.gid; l.mode = o.mode; });
    }
  }

  /** Devices and directories depth first, each directory's entries in creation order (the tree's own walk). */
  private walkOrder(): Array<MDev | MDir> {
    const all = [...this.entries.values()].filter((e) => ('id' in e ? e.name : e.path) !== '');
    const out: Array<MDev | MDir> = [];
    const visit = (dir: string): void => {
      for (const e of all.filter((x) => parentOf('id' in x ? x.name : x.path) === dir).sort((x, y) => x.seq - y.seq)) {
        out.push(e);
        if (!('id' in e)) visit(e.path);
      }
    };
    visit('');
    return out;
  }

  /** devfs rule apply: one rule over existing entries. */
  applyRule(m: MMount, spec: number, cred: Cred): void {
    const s = APPLY_SPECS[spec];
    this.applyRules(m, 'invalid' in s ? [] : [s], cred, 'invalid' in s);
  }

  /** devfs rule applyset: a ruleset (default: the mount's) over existing entries. */
  applyRuleset(m: MMount, rs: number | undefined, cred: Cred): void {
    const n = rs ?? m.epochs[m.epochs.length - 1].rs;
    this.applyRules(m, n === 0 ? [] : RULESETS.get(n), cred);
  }

  // ------------------------------------------------------------ open files

  /** open: EISDIR for a directory, EACCES per mode; auto-ownership on the first open. */
  open(m: MMount, path: string, flags: 'r' | 'w' | 'r+', cred: Cred): void {
    let n: MNode;
    try {
      n = this.resolve(m, path, cred, true, true);
    } catch (err) {
      // an open miss is announced once, as the mount's LOOKUP (for MODLOAD), also mid-path
      if (err instanceof ModelError && err.code === 'ENOENT' && !this.lookedUp) this.emit('LOOKUP', path, m);
      throw err;
    }
    if (n.kind === 'dir') fail('EISDIR');
    if (n.kind !== 'dev') fail('ENXIO');
    const want = flags === 'r' ? 4 : flags === 'w' ? 2 : 6;
    if (!permits(cred, this.devAttrs(m, n.dev), want)) fail('EACCES');
    const d = n.dev;
    if (d.opens === 0 && d.flags & D_AUTOOWN) d.uid = cred.uid;
    d.opens++;
    this.handles.push({ dev: d, m, flags, closed: false });
    this.emit('OPEN', d.name, m);
  }

  /** close: EBADF the second time; d_close per D_TRACKCLOSE; auto-ownership returns on the last. */
  close(h: MHandle): void {
    if (h.closed) fail('EBADF');
    h.closed = true;
    this.emit('CLOSE', h.dev.name, h.m);
    const d = h.dev;
    d.opens--;
    if (d.live && (d.flags & D_TRACKCLOSE || d.opens === 0)) d.closes++;
    if (d.opens === 0 && d.flags & D_AUTOOWN) { d.uid = d.defUid; d.gid = d.defGid; }
  }

  /** A read returns the device's name (the test driver writes it), ENXIO once destroyed. */
  read(h: MHandle): string {
    if (h.closed || h.flags === 'w') fail('EBADF');
    if (!h.dev.live) fail('ENXIO');
    return h.dev.name;
  }

  // ------------------------------------------------------------ observation

  /** Every visible entry of a mount, depth first in readdir order, as root sees it. */
  tree(m: MMount): string[] {
    const out: string[] = [];
    const walk = (dir: string): void => {
      for (const { name } of this.readdir(m, dir, { uid: 0, gid: 0 })) {
        const path = join(dir, name);
        const s = this.summary(m, this.resolve(m, path, { uid: 0, gid: 0 }, false));
        out.push(describe(path, s));
        if (s.type === 'dir') walk(path);
      }
    };
    out.push(describe('', this.summary(m, this.resolve(m, '', { uid: 0, gid: 0 }, false))));
    walk('');
    return out;
  }
}

/** One line of a tree listing. */
export function describe(path: string, s: StatSummary): string {
  const own = `${s.mode.toString(8).padStart(4, '0')} ${s.uid}:${s.gid}`;
  return `/${path} ${s.type} ${own}${s.dev !== undefined ? ` dev#${s.dev}` : ''}${s.target !== undefined ? ` -> ${s.target}` : ''}`;
}
