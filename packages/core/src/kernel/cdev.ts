import type { Cdevsw } from './cdevsw';
import type { DevFile } from '../file/devfile';

/** Cdev state bits. */
export const SI_ALIAS = 0x1;
export const SI_ETERNAL = 0x2;
export const SI_DYING = 0x4;
export const SI_DESTROYED = 0x8;
export const SI_AUTOOWNED = 0x10;

/** Milliseconds origin for compact timestamps (small integers stay unboxed in V8). */
export const TIME_ORIGIN = Date.now();

/** Rarely used per-device state, allocated on first need so a bare device stays small. */
export class CdevExt {
  si_drv2: unknown = undefined;
  parent: Cdev | undefined = undefined;
  children: Set<Cdev> | undefined = undefined;
  aliases: Set<Cdev> | undefined = undefined;
  /** For aliases: the device this name points at. */
  aliasOf: Cdev | undefined = undefined;
  /** Open handles of this device (for destroy: wake waiters, run cdevpriv destructors). */
  files: Set<DevFile> | undefined = undefined;
  /** Defaults restored after the last close of an auto-owned device. */
  defaultUid = 0;
  defaultGid = 0;
  /** Waiters for in-flight calls to drain during destroy. */
  drainWaiters: (() => void)[] | undefined = undefined;
  destroyed: Promise<void> | undefined = undefined;
}

/**
 * One character device (FreeBSD's `struct cdev`). Created by `make_dev`; its inode is allocated in
 * the native, process-global inode table and is its `rdev` in every mount.
 */
export class Cdev {
  /** Full name, e.g. 'pts/3'. */
  readonly si_name: string;
  /** The driver's method table. */
  readonly si_devsw: Cdevsw;
  /** Driver-private pointer (the softc). */
  si_drv1: any;
  /** Unit number given to make_dev. */
  readonly unit: number;
  /** Default owner, group and mode (what a mount shows unless its ruleset or a chmod says otherwise). */
  uid: number;
  gid: number;
  mode: number;
  /** Inode number (also the rdev), and the slot generation that guards it. */
  readonly inode: number;
  readonly gen: number;
  /** SI_* state bits. */
  flags: number;
  /** Creation time, ms since TIME_ORIGIN. */
  readonly ctick: number;
  /** devfs_generation right after this device was registered. */
  readonly createdGen: number;
  /** Open count (d_close without D_TRACKCLOSE runs when it drops to 0). */
  usecount = 0;
  /** Driver calls in flight (destroy_dev waits for 0). */
  threadcount = 0;
  /** Rare state. */
  ext: CdevExt | undefined = undefined;

  constructor(name: string, devsw: Cdevsw, unit: number, uid: number, gid: number, mode: number,
    inode: number, gen: number, createdGen: number, flags: number) {
    this.si_name = name;
    this.si_devsw = devsw;
    this.si_drv1 = undefined;
    this.unit = unit;
    this.uid = uid;
    this.gid = gid;
    this.mode = mode;
    this.inode = inode;
    this.gen = gen;
    this.flags = flags;
    this.ctick = Date.now() - TIME_ORIGIN;
    this.createdGen = createdGen;
  }

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

  /** True for an alias made by make_dev_alias (shown as a symlink). */
  get isAlias(): boolean {
    return (this.flags & SI_ALIAS) !== 0;
  }

  /** Creation time in ms since the epoch. */
  get ctimeMs(): number {
    return TIME_ORIGIN + this.ctick;
  }

  /** The rare-state record, allocated on first use. */
  x(): CdevExt {
    return this.ext ?? (this.ext = new CdevExt());
  }
}
