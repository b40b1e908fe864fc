/**
 * @devfs/fuse — the devfs mounts as a FUSE filesystem every host program can use, speaking the
 * kernel protocol of `<linux/fuse.h>` directly (no libfuse).
 */
export { startFuseExport, checkExportDir } from './export';
export type { FuseExport } from './export';
export type { FuseExportOptions, DeviceInfo } from './context';
export { mountAt, isDevfsExport } from './mountpoint';
export { BLKGETSIZE64 } from './ops/files';
