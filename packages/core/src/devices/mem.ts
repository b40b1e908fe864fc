import { randomFillSync } from 'crypto';
import { devfsError } from '../errors';
import { D_MEM } from '../constants';
import type { Cdevsw } from '../kernel/cdevsw';
import type { DeviceRegistry } from '../kernel/kernel';
import type { Cdev } from '../kernel/cdev';

/** null: reads return end of file, writes succeed and are discarded. */
export const nullsw: Cdevsw = {
  d_name: 'null', d_flags: D_MEM,
  d_read: () => 0,
  d_write: (_d, buf) => buf.length,
};

/** zero: reads fill the buffer with zeros, writes are discarded. */
export const zerosw: Cdevsw = {
  d_name: 'zero', d_flags: D_MEM,
  d_read: (_d, buf) => buf.fill(0).length,
  d_write: (_d, buf) => buf.length,
};

/** full: reads return zeros, writes fail with ENOSPC. */
export const fullsw: Cdevsw = {
  d_name: 'full', d_flags: D_MEM,
  d_read: (_d, buf) => buf.fill(0).length,
  d_write: (d) => { throw devfsError('ENOSPC', 'write', d.si_name); },
};

/** random/urandom: reads return cryptographically strong random bytes; writes are accepted (entropy). */
export const randomsw: Cdevsw = {
  d_name: 'random', d_flags: D_MEM,
  d_read: (_d, buf) => randomFillSync(buf).length,
  d_write: (_d, buf) => buf.length,
};

/** Registers null, zero, full, random and urandom (an alias-free pair, as on Linux). */
export function registerMemDevices(kernel: DeviceRegistry): Cdev[] {
  return [
    kernel.make_dev(nullsw, 0, 0, 0, 0o666, 'null'),
    kernel.make_dev(zerosw, 1, 0, 0, 0o666, 'zero'),
    kernel.make_dev(fullsw, 2, 0, 0, 0o666, 'full'),
    kernel.make_dev(randomsw, 3, 0, 0, 0o644, 'random'),
    kernel.make_dev(randomsw, 4, 0, 0, 0o644, 'urandom'),
  ];
}
