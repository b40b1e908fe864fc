import type { Cred } from '../cred';
import { devfsError } from '../errors';
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

/** make_dev_s's arguments, checked: the device name and the numbers with their defaults. */
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

/**
 * Checks make_dev_s's arguments before anything changes: a cdevsw with d_name, the name (FreeBSD's
 * prep_devname on the formatted `fmt`), unit, owner, group, mode, flags, d_flags and adoptInode.
 * Every failure is a DevfsError (EINVAL, ENAMETOOLONG).
 */
export function checkMakeDev(a: MakeDevArgs, fmt: string, args: unknown[]): CheckedMakeDev {
  if (typeof a !== 'object' || a === null || typeof a.devsw !== 'object' || a.devsw === null || typeof a.devsw.d_name !== 'string') {
    throw devfsError('EINVAL', 'make_dev', typeof fmt === 'string' ? fmt : undefined, 'make_dev needs a cdevsw with d_name');
  }
  const name = prepDevName(formatDevName(fmt, args));
  const unit = arg.optInt(a.unit, 'unit', 'make_dev', -0x80000000, 0xffffffff, 0, name);
  const uid = arg.optInt(a.uid, 'uid', 'make_dev', 0, MAX_ID, 0, name);
  const gid = arg.optInt(a.gid, 'gid', 'make_dev', 0, MAX_ID, 0, name);
  const mode = arg.optInt(a.mode, 'mode', 'make_dev', 0, MAX_MODE, 0o600, name);
  const mflags = arg.optInt(a.flags, 'flags', 'make_dev', 0, 0x7fffffff, 0, name);
  const dflags = arg.optInt(a.devsw.d_flags, 'd_flags', 'make_dev', 0, 0x7fffffff, 0, name);
  if (a.adoptInode !== undefined) checkAdopt(a.adoptInode, name);
  return { name, unit, uid, gid, mode, mflags, dflags };
}

/** EINVAL unless `a` is `{ ino, gen }` with integer fields (make_dev_s `adoptInode`). */
function checkAdopt(a: unknown, name: string): void {
  const o = arg.object<{ ino?: unknown; gen?: unknown }>(a, 'adoptInode', 'make_dev', name);
  arg.int(o.ino, 'adoptInode.ino', 'make_dev', 0, 0xffffff, name);
  arg.int(o.gen, 'adoptInode.gen', 'make_dev', 0, Number.MAX_SAFE_INTEGER, name);
}
