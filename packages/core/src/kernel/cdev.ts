import { genOf as nativeGenOf, inoOf as nativeInoOf } from '@devfs/native';
import type { Cdevsw } from './cdevsw';
import { D_AUTOOWN } from '../constants';

/** @devfs/native's key helpers, read once: each access to a re-exported name is a getter call. */
const inoOf = nativeInoOf;
const genOf = nativeGenOf;

/** Cdev state bits. */
export const SI_ALIAS = 0x1;
export const SI_ETERNAL = 0x2;
export const SI_DYING = 0x4;
export const SI_DESTROYED = 0x8;
export const SI_AUTOOWNED = 0x10;
/** Made by a cloner (a clone handler or inside d_open/d_fdopen): see origin.ts. */
export const SI_CLONED = 0x20;

/** Milliseconds origin for compact timestamps (small integers stay unboxed in V8). */
export const TIME_ORIGIN = Date.now();

/** Rarely used per-device state, allocated on first need so a bare device stays small. */
export class CdevExt {
  /** si_drv1, moved here from the device's slot when this record was made. */
  si_drv1: unknown = undefined;
  si_drv2: unknown = undefined;
  parent: Cdev | undefined = undefined;
  children: Set<Cdev> | undefined = undefined;
  aliases: Set<Cdev> | undefined = undefined;
  /** For aliases: the device this name points at. */
  aliasOf: Cdev | undefined = undefined;
  /** Wake functions of calls blocked on this device (destroy_dev wakes them). */
  waits: Set<() => void> | undefined = undefined;
  /** cdevpriv records of open handles (destroy_dev runs their destructors). No DevFile is held. */
  privs: Set<import('../file/cdevpriv').CdevPriv> | undefined = undefined;
  /** si_cred: the credential the device was made for (make_dev_s `cred`), frozen. */
  cred: Readonly<import('../cred').Cred> | undefined = undefined;
  /** Defaults restored after the last close of an auto-owned device. */
  defaultUid = 0;
  defaultGid = 0;
  /** Waiters for in-flight calls to drain during destroy. */
  drainWaiters: (() => void)[] | undefined = undefined;
  destroyed: Promise<void> | undefined = undefined;
  /** Open count and in-flight driver calls (only devices that were ever opened pay for them). */
  usecount = 0;
  threadcount = 0;
}

/**
 * A device's driver, owner, group and mode, and the millisecond it was made in, interned: devices
 * of one driver with the same defaults made in the same millisecond (a driver making its devices
 * in a loop) share one record, so a device costs one field for all five. A device made alone
 * has a record of its own.
 */
export class Perm {
  constructor(readonly devsw: Cdevsw, readonly uid: number, readonly gid: number, readonly mode: number,
    /** Creation time, ms since TIME_ORIGIN. */
    readonly tick: number) {}
}
const perms = new WeakMap<Cdevsw, Map<string, Perm>>();
let lastPerm: Perm | undefined;
/** The shared Perm record for (devsw, uid, gid, mode, tick). */
export function internPerm(devsw: Cdevsw, uid: number, gid: number, mode: number, tick: number): Perm {
  const l = lastPerm;
  if (l !== undefined && l.devsw === devsw && l.uid === uid && l.gid === gid && l.mode === mode && l.tick === tick) return l;
  let byKey = perms.get(devsw);
  if (byKey === undefined) perms.set(devsw, (byKey = new Map()));
  const key = `${uid}:${gid}:${mode}:${tick}`;
  let p = byKey.get(key);
  if (!p) {
    if (byKey.size > 4096) byKey.clear();
    byKey.set(key, (p = new Perm(devsw, uid, gid, mode, tick)));
  }
  return (lastPerm = p);
}

/** The SI_* bits `flags` can hold (7); bit 7 of the packed word marks a CdevExt in the slot. */
const FLAG_MASK = 0x7f;
const HAS_EXT = 0x80;
/** Unit and flags share one number: unit * 256 + bits (a small integer while 0 <= unit < 2^23). */
const UNIT_SCALE = 256;

/**
 * One character device (FreeBSD's `struct cdev`). Created by `make_dev`; its inode is allocated in
 * the native, process-global inode table and is its `rdev` in every mount.
 *
 * Memory: a million devices are a million of these, so the object keeps six fields (a bare device
 * costs 72 bytes of object): its name, inode and slot generation packed in one number, unit and
 * the SI_* bits in another, the driver/owner/group/mode/creation time in one interned Perm, the
 * generation it was registered at, and one slot holding either si_drv1 or, once rare state is
 * needed, the CdevExt that holds si_drv1 with it. The public fields are accessors over these.
 */
export class Cdev<Softc = any> {
  /** Full name, e.g. 'pts/3'. */
  readonly si_name: string;
  /** @internal the driver, default owner, group and mode (interned; see si_devsw and the uid/gid/mode accessors). */
  perm: Perm;
  /** Inode and slot generation in one number: the native table's key (packKey/inoOf/genOf). */
  private readonly key: number;
  /** unit * 256 + SI_* bits + HAS_EXT (see unit, flags, ext). */
  private uf: number;
  /** @internal devfs_generation right after this device was registered. */
  readonly createdGen: number;
  /** si_drv1, or with HAS_EXT the CdevExt (which then holds si_drv1). */
  private slot: unknown;

  /** @internal devices are made by make_dev. */
  constructor(name: string, devsw: Cdevsw<Softc>, unit: number, uid: number, gid: number, mode: number,
    key: number, createdGen: number, flags: number) {
    this.si_name = name;
    this.perm = internPerm(devsw, uid, gid, mode, Date.now() - TIME_ORIGIN);
    this.key = key;
    this.uf = unit * UNIT_SCALE + (flags & FLAG_MASK);
    this.createdGen = createdGen;
    this.slot = undefined;
  }

  /** @internal creation time, ms since TIME_ORIGIN (see ctimeMs). */
  get ctick(): number { return this.perm.tick; }

  /** Inode number (also the rdev). */
  get inode(): number { return inoOf(this.key); }
  /** The inode slot's generation when this device took it (guards against a recycled inode). */
  get gen(): number { return genOf(this.key); }
  /** Unit number given to make_dev. */
  get unit(): number { return (this.uf - (this.uf & 0xff)) / UNIT_SCALE; }

  /** @internal SI_* state bits (SI_ALIAS ... SI_CLONED; at most 7 bits). */
  get flags(): number { return this.uf & FLAG_MASK; }
  set flags(v: number) { this.uf = this.uf - (this.uf & FLAG_MASK) + (v & FLAG_MASK); }

  /** Driver-private pointer (the softc: its type is the cdevsw's `Softc`). */
  get si_drv1(): Softc { return (this.uf & HAS_EXT ? (this.slot as CdevExt).si_drv1 : this.slot) as Softc; }
  set si_drv1(v: Softc) {
    if (this.uf & HAS_EXT) (this.slot as CdevExt).si_drv1 = v;
    else this.slot = v;
  }

  /** @internal rare state (undefined until `x()` made it). */
  get ext(): CdevExt | undefined { return this.uf & HAS_EXT ? (this.slot as CdevExt) : undefined; }

  /** The driver's method table. */
  get si_devsw(): Cdevsw<Softc> { return this.perm.devsw as Cdevsw<Softc>; }

  /** Default owner (what a mount shows unless its ruleset or a chown says otherwise). */
  get uid(): number { return this.perm.uid; }
  set uid(v: number) { const p = this.perm; this.perm = internPerm(p.devsw, v, p.gid, p.mode, p.tick); }
  /** Default group. */
  get gid(): number { return this.perm.gid; }
  set gid(v: number) { const p = this.perm; this.perm = internPerm(p.devsw, p.uid, v, p.mode, p.tick); }
  /** Default permission bits. */
  get mode(): number { return this.perm.mode; }
  set mode(v: number) { const p = this.perm; this.perm = internPerm(p.devsw, p.uid, p.gid, v, p.tick); }

  /** Open count (d_close without D_TRACKCLOSE runs when it drops to 0). */
  get usecount(): number { return this.ext === undefined ? 0 : this.ext.usecount; }
  set usecount(v: number) { this.x().usecount = v; }
  /** Driver calls in flight (destroy_dev waits for 0). */
  get threadcount(): number { return this.ext === undefined ? 0 : this.ext.threadcount; }
  set threadcount(v: number) { this.x().threadcount = v; }

  /** Device number as stat reports it: the inode. */
  get rdev(): number {
    return this.inode;
  }

  /** Second driver-private pointer. */
  get si_drv2(): any {
    return this.ext?.si_drv2;
  }
  set si_drv2(v: any) {
    this.x().si_drv2 = v;
  }

  /** True once destroy_dev started: new calls get ENXIO. */
  get dying(): boolean {
    return (this.flags & SI_DYING) !== 0;
  }

  /** si_cred: the credential the driver made this device for (a jail shows it to that uid only). */
  get si_cred(): Readonly<import('../cred').Cred> | undefined {
    return this.ext?.cred;
  }

  /**
   * False for a device that belongs to whoever caused it — made for a credential, made by a
   * cloner, or auto-owned (D_AUTOOWN): its name is reused for others, so saved attributes are
   * never restored to it. True for the rest (identity: name, driver, unit).
   */
  get persistent(): boolean {
    return (this.flags & SI_CLONED) === 0 && this.ext?.cred === undefined && ((this.si_devsw.d_flags ?? 0) & D_AUTOOWN) === 0;
  }

  /** True for an alias made by make_dev_alias (shown as a symlink). */
  get isAlias(): boolean {
    return (this.flags & SI_ALIAS) !== 0;
  }

  /** For an alias (make_dev_alias): the device this name points at; otherwise undefined. */
  get aliasOf(): Cdev<Softc> | undefined {
    return this.ext?.aliasOf;
  }

  /** Creation time in ms since the epoch. */
  get ctimeMs(): number {
    return TIME_ORIGIN + this.ctick;
  }

  /** @internal the rare-state record, allocated on first use (it takes over si_drv1). */
  x(): CdevExt {
    if (this.uf & HAS_EXT) return this.slot as CdevExt;
    const e = new CdevExt();
    e.si_drv1 = this.slot;
    this.slot = e;
    this.uf += HAS_EXT;
    return e;
  }
}
