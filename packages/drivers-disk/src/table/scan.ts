import { devfsError, toDevfsError } from '@devfs/core';
import type { Disk } from '../disk';
import { hasGptSignature, readGpt } from './gpt';
import { isMbr, isProtectiveMbr, readMbr } from './mbr';
import type { ScanResult, SectorSource } from './types';

/** Sectors where a table lives, as [first LBA, count] ranges. */
export type SectorRanges = Array<[number, number]>;

/** A scan's result plus the sectors a write must touch to change what it found. */
export interface Scan {
  result: ScanResult;
  /** MBR, EBRs, GPT headers and entry arrays read, plus the standard primary and backup GPT areas. */
  watch: SectorRanges;
}

/** Bytes of the standard GPT entry array (128 entries × 128 bytes). */
const STD_ARRAY_BYTES = 16384;

/** A SectorSource over a disk that records every range it reads. */
export function recordingSource(disk: Disk): SectorSource & { readonly ranges: SectorRanges } {
  const ranges: SectorRanges = [];
  return {
    sectorSize: disk.sectorSize,
    sectors: disk.sectors,
    ranges,
    async readSectors(lba: number, count: number): Promise<Buffer> {
      if (lba < 0 || count < 0 || lba + count > disk.sectors) {
        throw devfsError('EIO', 'read', disk.name, `table read ${lba}+${count} beyond ${disk.sectors} sectors`);
      }
      ranges.push([lba, count]);
      const buf = Buffer.alloc(count * disk.sectorSize);
      await disk.store.read(buf, lba * disk.sectorSize);
      return buf;
    },
  };
}

/** The GPT areas every disk watches even before it has a table: LBA 0..33 and the last 33 sectors (for 512-byte sectors). */
export function standardWatch(sectors: number, sectorSize: number): SectorRanges {
  const area = 1 + Math.ceil(STD_ARRAY_BYTES / sectorSize);
  const head = Math.min(sectors, 1 + area);
  const tail = Math.min(sectors, area);
  return [[0, head], [sectors - tail, tail]];
}

/**
 * Detects and reads the partition table of `disk`: GPT when sector 0 is a protective MBR (or,
 * without a valid MBR, LBA 1 has a GPT signature), else MBR, else none. Never throws: I/O errors
 * become `fault: 'io'`.
 */
export async function scanDisk(disk: Disk): Promise<Scan> {
  const src = recordingSource(disk);
  const watch = standardWatch(disk.sectors, disk.sectorSize);
  let result: ScanResult;
  try {
    result = await scanSource(src);
  } catch (err) {
    const error = toDevfsError(err, 'scan', disk.name);
    result = { ok: false, scheme: 'mbr', fault: 'io', error, warnings: [] };
  }
  return { result, watch: [...watch, ...src.ranges] };
}

/** Scans any sector source (see scanDisk). */
export async function scanSource(src: SectorSource): Promise<ScanResult> {
  if (src.sectors < 1) return { ok: true, scheme: 'none', partitions: [], warnings: [] };
  const sector0 = await src.readSectors(0, 1);
  if (isProtectiveMbr(sector0)) return readGpt(src);
  if (isMbr(sector0)) return readMbr(src, sector0);
  if (src.sectors >= 2 && hasGptSignature(await src.readSectors(1, 1))) {
    const r = await readGpt(src);
    r.warnings.unshift('GPT without a protective MBR');
    return r;
  }
  return { ok: true, scheme: 'none', partitions: [], warnings: [] };
}

/** True when the byte range [offset, offset + length) touches any of the ranges. */
export function touches(ranges: SectorRanges, sectorSize: number, offset: number, length: number): boolean {
  const first = Math.floor(offset / sectorSize);
  const end = Math.ceil((offset + length) / sectorSize);
  return ranges.some(([lba, count]) => first < lba + count && lba < end);
}
