import type { Cdev } from '@devfs/core';
import { devfsError } from '@devfs/core';
import type { Disk } from '../disk';

/** Per-device driver state (si_drv1) of a disk or partition node. */
export interface DiskSoftc {
  /** The sector-checked byte space this node reads and writes. */
  readonly disk: Disk;
  /** Open handles (D_TRACKCLOSE counts every open and close). */
  opens: number;
  /** Runs after a successful write of [offset, offset + length) of this node (partition-table watch). */
  afterWrite(offset: number, length: number): Promise<void>;
}

/** The softc of a disk node or of an alias to one, when it has one. */
export function findSoftc(dev: Cdev<DiskSoftc | undefined>): DiskSoftc | undefined {
  return dev.si_drv1 ?? dev.aliasOf?.si_drv1;
}

/** The softc of a disk node or of an alias to one; ENXIO when there is none. */
export function softcOf(dev: Cdev<DiskSoftc | undefined>, syscall: string): DiskSoftc {
  const s = findSoftc(dev);
  if (!s) throw devfsError('ENXIO', syscall, dev.si_name, 'disk has no backing store');
  return s;
}
