/**
 * @devfs/drivers-disk — the `md` driver: memory- and file-backed disks, sector-aligned I/O,
 * MBR/GPT partitions as child devices and `gpt/<label>` links.
 */
export type { BackingStore } from './store/types';
export { MallocStore, MALLOC_CHUNK } from './store/malloc';
export { VnodeStore, type VnodeOptions } from './store/vnode';
export { WindowStore } from './store/window';
export { Disk, SECTOR_SIZES, checkSectorSize } from './disk';
export type { PartitionInfo, Scheme, ScanResult, SectorSource, TableFault } from './table/types';
export { readMbr, isMbr, isProtectiveMbr } from './table/mbr';
export { readGpt, MAX_ENTRY_ARRAY_BYTES } from './table/gpt';
export { scanDisk, scanSource, touches, standardWatch, type Scan, type SectorRanges } from './table/scan';
export { assignLabels, sanitizeLabel } from './table/labels';
export { crc32 } from './table/crc32';
export { MdDriver, type MdInfo } from './md/driver';
export type { MdCreateOptions } from './md/options';
export { MD_MAX_UNIT } from './md/options';
export { DIOCGMEDIASIZE, DIOCGSECTORSIZE, DIOCGFLUSH } from './md/ioctl';
export { mdCdevsw, mdDiskOf } from './md/cdevsw';
export type { MdNotify } from './md/partitions';
export { register } from './plugin';
