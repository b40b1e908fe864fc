/**
 * The daemon's FUSE export (`--fuse DIR`, config "fuse"): every request is answered from the
 * mount the caller maps to through the same access map as the socket; `--fuse-mount NAME`
 * (config "fuseMount") exports that one mount to everyone instead, with kernel caching and
 * invalidations. The export is unmounted by the daemon's close() and, as a last resort, when the
 * process exits by any other path (process.exit after a second signal).
 */
import type { Cdev, Kernel, Mount } from '@devfs/core';
import { devfsError } from '@devfs/core';
import { mdCdevsw, mdDiskOf } from '@devfs/drivers-disk';
import { PtyUnit } from '@devfs/drivers-pty';
import { startFuseExport } from '@devfs/fuse';
import type { DeviceInfo, FuseExport } from '@devfs/fuse';
import { native } from '@devfs/native';
import type { AccessConfig } from './config';
import { mountFor } from './access';

/** Seconds the kernel may cache names and attributes when one mount answers everyone. */
const SINGLE_MOUNT_CACHE_SECONDS = 60;

/** What the export shows of the built-in drivers' devices: disk sizes, ptys as their host slave. */
export function describeDevice(dev: Cdev): DeviceInfo | undefined {
  if (dev.si_devsw === mdCdevsw) {
    const disk = mdDiskOf(dev);
    return disk ? { size: disk.mediaSize, sectorSize: disk.sectorSize } : undefined;
  }
  const unit = dev.si_drv1;
  if (unit instanceof PtyUnit && unit.masterIsOpen) return { hostPath: unit.pair.ptsPath };
  return undefined;
}

/** Options of startExport. */
export interface ExportOptions {
  kernel: Kernel;
  dir: string;
  access: AccessConfig;
  /** Export only this mount (cached, with invalidations). */
  only?: string;
  log(line: string): void;
}

/** Mounts the export; the returned close() unmounts it. */
export async function startExport(o: ExportOptions): Promise<FuseExport> {
  const byName = (name: string): Mount | undefined => [...o.kernel.mounts].find((m) => m.name === name);
  if (o.only !== undefined && !byName(o.only)) throw devfsError('ENOENT', 'mount', o.only, 'no such mount to export (--fuse-mount)');
  const ex = await startFuseExport({
    kernel: o.kernel, dir: o.dir, describe: describeDevice, log: o.log,
    mountFor: o.only !== undefined ? () => byName(o.only!) : (cred) => byName(mountFor(cred, o.access)),
    cacheSeconds: o.only !== undefined ? SINGLE_MOUNT_CACHE_SECONDS : 0,
  });
  const lastResort = () => {
    try { native.fuseUnmount(ex.dir); } catch { /* already unmounted */ }
  };
  process.once('exit', lastResort);
  if (ex.replacedStale) o.log(`replaced a stale FUSE export at ${ex.dir} (its daemon was gone)`);
  o.log(`fuse export at ${ex.dir}${o.only !== undefined ? ` (mount ${o.only}, cached)` : ' (per-caller mounts, uncached)'}`);
  return {
    dir: ex.dir, replacedStale: ex.replacedStale, get inFlight() { return ex.inFlight; },
    close: async () => {
      process.removeListener('exit', lastResort);
      await ex.close();
    },
  };
}
