import type { Cdev, Cdevsw } from '@devfs/core';
import type { DiskSoftc } from './softc';
import { D_DISK, D_TRACKCLOSE, devfsError } from '@devfs/core';
import { DIOCGFLUSH, DIOCGMEDIASIZE, DIOCGSECTORSIZE } from './ioctl';
import { findSoftc, softcOf } from './softc';

/** Position of a disk I/O call (the framework keeps one per open for D_DISK devices). */
function at(position: number | null): number {
  return position ?? 0;
}

/**
 * The method table shared by every md disk and partition node: sector-checked I/O on the
 * node's Disk, the disk ioctls, and open counting for destroy's EBUSY check.
 */
export const mdCdevsw: Cdevsw<DiskSoftc | undefined> = {
  d_name: 'md',
  d_flags: D_DISK | D_TRACKCLOSE,
  d_open(dev: Cdev<DiskSoftc | undefined>) {
    softcOf(dev, 'open').opens++;
  },
  d_close(dev: Cdev<DiskSoftc | undefined>) {
    const s = softcOf(dev, 'close');
    if (s.opens > 0) s.opens--;
  },
  d_read(dev: Cdev<DiskSoftc | undefined>, buf: Buffer, position: number | null) {
    return softcOf(dev, 'read').disk.read(buf, at(position));
  },
  async d_write(dev: Cdev<DiskSoftc | undefined>, buf: Buffer, position: number | null) {
    const s = softcOf(dev, 'write');
    const n = await s.disk.write(buf, at(position));
    await s.afterWrite(at(position), n);
    return n;
  },
  async d_ioctl(dev: Cdev<DiskSoftc | undefined>, cmd: number) {
    const s = softcOf(dev, 'ioctl');
    switch (cmd) {
      case DIOCGMEDIASIZE: return s.disk.mediaSize;
      case DIOCGSECTORSIZE: return s.disk.sectorSize;
      case DIOCGFLUSH: await s.disk.flush(); return 0;
      default: throw devfsError('ENOTTY', 'ioctl', dev.si_name, `md: unknown ioctl 0x${(cmd >>> 0).toString(16)}`);
    }
  },
};

/**
 * The disk behind `dev` when it is an md disk or partition node (or an alias of one), for code
 * outside the driver that describes devices (the daemon's FUSE export: sizes); undefined otherwise.
 */
export function mdDiskOf(dev: Cdev): DiskSoftc['disk'] | undefined {
  return dev.si_devsw === mdCdevsw ? findSoftc(dev as Cdev<DiskSoftc | undefined>)?.disk : undefined;
}
