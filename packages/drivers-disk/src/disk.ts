import { devfsError } from '@devfs/core';
import type { BackingStore } from './store/types';

/** Sector sizes a disk may have. */
export const SECTOR_SIZES: readonly number[] = [512, 4096];

/** Throws EINVAL unless `sectorSize` is one of SECTOR_SIZES. */
export function checkSectorSize(sectorSize: number, syscall = 'md.create'): void {
  if (!SECTOR_SIZES.includes(sectorSize)) {
    throw devfsError('EINVAL', syscall, undefined, `sector size must be ${SECTOR_SIZES.join(' or ')}, got ${sectorSize}`);
  }
}

/**
 * Sector rules over a backing store: offset and length must be multiples of the sector size
 * (EINVAL); a read at or past the end returns 0 and one crossing it is cut short; a write that
 * does not fit ends in ENOSPC with nothing written.
 */
export class Disk {
  /** Usable size in bytes: the store's size rounded down to whole sectors. */
  mediaSize: number;

  /** A disk of `sectorSize`-byte sectors on `store`; `name` appears in errors; `readOnly` writes fail with EROFS. */
  constructor(readonly store: BackingStore, readonly sectorSize = 512, readonly name?: string, readonly readOnly = false) {
    checkSectorSize(sectorSize);
    this.mediaSize = store.size - (store.size % sectorSize);
  }

  /** Takes the store's (changed) size again, in whole sectors. */
  refreshSize(): void {
    this.mediaSize = this.store.size - (this.store.size % this.sectorSize);
  }

  /** Number of whole sectors. */
  get sectors(): number {
    return this.mediaSize / this.sectorSize;
  }

  /** Reads into `buf` at byte `offset`; returns bytes read (0 at or past the end). */
  async read(buf: Buffer, offset: number): Promise<number> {
    this.checkAligned(buf.length, offset, 'read');
    if (offset >= this.mediaSize || buf.length === 0) return 0;
    const n = Math.min(buf.length, this.mediaSize - offset);
    return this.store.read(n === buf.length ? buf : buf.subarray(0, n), offset);
  }

  /** Writes all of `buf` at byte `offset`, or nothing (ENOSPC) when it does not fit. */
  async write(buf: Buffer, offset: number): Promise<number> {
    if (this.readOnly) throw devfsError('EROFS', 'write', this.name, 'the disk is attached read-only (md create -o readonly)');
    this.checkAligned(buf.length, offset, 'write');
    if (buf.length === 0) return 0;
    if (offset + buf.length > this.mediaSize) {
      throw devfsError('ENOSPC', 'write', this.name,
        `${buf.length} bytes at ${offset} do not fit on a ${this.mediaSize}-byte disk`);
    }
    return this.store.write(buf, offset);
  }

  /** Makes written data durable (DIOCGFLUSH). */
  flush(): Promise<void> {
    return this.store.flush();
  }

  private checkAligned(length: number, offset: number, syscall: string): void {
    const s = this.sectorSize;
    if (!Number.isSafeInteger(offset) || offset < 0 || offset % s !== 0) {
      throw devfsError('EINVAL', syscall, this.name, `offset ${offset} is not a multiple of the ${s}-byte sector`);
    }
    if (length % s !== 0) {
      throw devfsError('EINVAL', syscall, this.name, `length ${length} is not a multiple of the ${s}-byte sector`);
    }
  }
}
