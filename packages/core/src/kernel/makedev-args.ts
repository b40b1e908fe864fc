import type { Cred } from '../cred';
import { devfsError, DevfsError } from '../errors';
import { arg, MAX_ID, MAX_MODE } from '../validate';
import type { Cdevsw } from './cdevsw';
import { formatDevName, prepDevName } from './devname';

/** Options object of make_dev_s (FreeBSD's struct make_dev_args). */
export interface MakeDevArgs<Softc = any> {
  flags?: number;
  devsw: Cdevsw<Softc>;
  unit?: number;
  uid?: number;
  gid?: number;
  mode?: number;
  drv1?: Softc;
  drv2?: any;
  cred?: Cred;
  /**
   * Adopt an inode a foreign registrar (e.g. a native thread) already inserted, instead of allocating one.
   * `cloned`: the registrar made it as a clone (an isolated driver's cloner), so it is not persistent.
   */
  adoptInode?: { ino: number; gen: number; cloned?: boolean };
}

/**
 * make_dev_s's arguments, checked: the device name and the numbers with their defaults. One record
 * is refilled by every call (after all its checks passed, so a nested make_dev cannot leave it half
 * written): read it at once. A make_dev/destroy_dev pair allocates no record of its own.
 */
export interface CheckedMakeDev {
  name: string;
  unit: number;
  uid: number;
  gid: number;
  mode: number;
  /** MAKEDEV_* flags. */
  mflags: number;
  /** The cdevsw's d_flags. */
  dflags: number;
}

const checked: CheckedMakeDev = { name: '', unit: 0, uid: 0, gid: 0, mode: 0, mflags: 0, dflags: 0 };

/** EINVAL: make_dev_s without an options object or a cdevsw with d_name. */
export function noCdevsw(fmt: unknown): DevfsError {
  return devfsError('EINVAL', 'make_dev', typeof fmt === 'string' ? fmt : undefined, 'make_dev needs a cdevsw with d_name');
}

/**
 * Checks make_dev_s's arguments (MakeDevArgs' fields, given one by one) before anything changes:
 * a cdevsw with d_name, the name (FreeBSD's prep_devname on the formatted `fmt`), unit, owner,
 * group, mode, flags, d_flags and adoptInode. Every failure is a DevfsError (EINVAL,
 * ENAMETOOLONG). The result is the shared record (see CheckedMakeDev).
 */
export function checkMakeDev(devsw: Cdevsw, unit: unknown, uid: unknown, gid: unknown, mode: unknown, flags: unknown,
  adoptInode: unknown, fmt: string, args: readonly unknown[]): CheckedMakeDev {
  if (typeof devsw !== 'object' || devsw === null || typeof devsw.d_name !== 'string') throw noCdevsw(fmt);
  const name = prepDevName(formatDevName(fmt, args));
  const u = arg.optInt(unit, 'unit', 'make_dev', -0x80000000, 0xffffffff, 0, name);
  const o = arg.optInt(uid, 'uid', 'make_dev', 0, MAX_ID, 0, name);
  const g = arg.optInt(gid, 'gid', 'make_dev', 0, MAX_ID, 0, name);
  const m = arg.optInt(mode, 'mode', 'make_dev', 0, MAX_MODE, 0o600, name);
  const mflags = arg.optInt(flags, 'flags', 'make_dev', 0, 0x7fffffff, 0, name);
  const dflags = arg.optInt(devsw.d_flags, 'd_flags', 'make_dev', 0, 0x7fffffff, 0, name);
  if (adoptInode !== undefined) checkAdopt(adoptInode, name);
  const c = checked;
  c.name = name;
  c.unit = u;
  c.uid = o;
  c.gid = g;
  c.mode = m;
  c.mflags = mflags;
  c.dflags = dflags;
  return c;
}

/** EINVAL unless `a` is `{ ino, gen }` with integer fields (make_dev_s `adoptInode`). */
function checkAdopt(a: unknown, name: string): void {
  const o = arg.object<{ ino?: unknown; gen?: unknown }>(a, 'adoptInode', 'make_dev', name);
  arg.int(o.ino, 'adoptInode.ino', 'make_dev', 0, 0xffffff, name);
  arg.int(o.gen, 'adoptInode.gen', 'make_dev', 0, Number.MAX_SAFE_INTEGER, name);
}
