import { devfsError } from '@devfs/core';
import { crc32 } from './crc32';
import { guidAt, guidIsZero } from './guid';
import type { PartitionInfo, ScanResult, SectorSource, TableFault } from './types';

const SIGNATURE = 'EFI PART';
const MIN_HEADER = 92;
/** Largest entry array accepted (64× the standard 16 KiB). Anything bigger is corruption. */
export const MAX_ENTRY_ARRAY_BYTES = 1024 * 1024;
/** Bytes of the name field of an entry (36 UTF-16LE code units). */
const NAME_BYTES = 72;

/** A verified GPT header with its entry array. */
interface GptTable {
  lba: number;
  alternateLba: number;
  firstUsable: number;
  lastUsable: number;
  diskGuid: string;
  entries: Buffer;
  entryCount: number;
  entrySize: number;
}

type Loaded = { ok: true; table: GptTable } | { ok: false; fault: TableFault; detail: string; alternateLba?: number };

/** A 64-bit LBA as a Number, or -1 when it cannot address anything on a real medium. */
function lba64(buf: Buffer, off: number): number {
  const v = buf.readBigUInt64LE(off);
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? -1 : Number(v);
}

/** Reads and verifies the header at `lba` and its entry array (signature, CRCs, bounds). */
async function loadHeader(src: SectorSource, lba: number): Promise<Loaded> {
  const last = src.sectors - 1;
  if (lba < 1 || lba > last) return { ok: false, fault: 'truncated', detail: `GPT header LBA ${lba} is beyond the last sector ${last}` };
  const sector = await src.readSectors(lba, 1);
  if (sector.toString('latin1', 0, 8) !== SIGNATURE) return { ok: false, fault: 'bad-header', detail: `no "EFI PART" signature at LBA ${lba}` };
  const headerSize = sector.readUInt32LE(12);
  if (headerSize < MIN_HEADER || headerSize > src.sectorSize) {
    return { ok: false, fault: 'bad-header', detail: `header size ${headerSize} at LBA ${lba} is outside ${MIN_HEADER}..${src.sectorSize}` };
  }
  const stored = sector.readUInt32LE(16);
  const copy = Buffer.from(sector.subarray(0, headerSize));
  copy.writeUInt32LE(0, 16);
  const computed = crc32(copy);
  if (computed !== stored) {
    return { ok: false, fault: 'bad-header-crc', detail: `header CRC32 at LBA ${lba} is 0x${hex(stored)}, computed 0x${hex(computed)}` };
  }
  const myLba = lba64(sector, 24);
  const alternateLba = lba64(sector, 32);
  const firstUsable = lba64(sector, 40);
  const lastUsable = lba64(sector, 48);
  const entriesLba = lba64(sector, 72);
  const entryCount = sector.readUInt32LE(80);
  const entrySize = sector.readUInt32LE(84);
  const entriesCrc = sector.readUInt32LE(88);
  if (myLba !== lba) return { ok: false, fault: 'bad-header', detail: `header at LBA ${lba} says it lives at LBA ${myLba}`, alternateLba };
  if (entrySize < 128 || entrySize % 128 !== 0 || (entrySize & (entrySize - 1)) !== 0) {
    return { ok: false, fault: 'bad-header', detail: `entry size ${entrySize} is not 128 × 2^n`, alternateLba };
  }
  const arrayBytes = entryCount * entrySize;
  if (arrayBytes > MAX_ENTRY_ARRAY_BYTES) {
    return { ok: false, fault: 'absurd-entry-count', detail: `${entryCount} entries of ${entrySize} bytes (${arrayBytes} bytes) exceed the ${MAX_ENTRY_ARRAY_BYTES}-byte limit`, alternateLba };
  }
  if (lastUsable > last || alternateLba > last) {
    return { ok: false, fault: 'truncated', detail: `header at LBA ${lba} describes a medium of at least ${Math.max(lastUsable, alternateLba) + 1} sectors; this one has ${src.sectors}`, alternateLba };
  }
  if (firstUsable < 0 || lastUsable < 0 || firstUsable > lastUsable) {
    return { ok: false, fault: 'bad-header', detail: `usable range ${firstUsable}..${lastUsable} is empty or invalid`, alternateLba };
  }
  const arraySectors = Math.ceil(arrayBytes / src.sectorSize);
  if (entriesLba < 1 || entriesLba + arraySectors - 1 > last) {
    return { ok: false, fault: 'entries-past-end', detail: `entry array at LBA ${entriesLba} (${arraySectors} sectors) runs past the last sector ${last}`, alternateLba };
  }
  const array = arraySectors > 0 ? await src.readSectors(entriesLba, arraySectors) : Buffer.alloc(0);
  const entries = array.subarray(0, arrayBytes);
  const arrayCrc = crc32(entries);
  if (arrayCrc !== entriesCrc) {
    return { ok: false, fault: 'bad-entries-crc', detail: `entry array CRC32 is 0x${hex(entriesCrc)}, computed 0x${hex(arrayCrc)}`, alternateLba };
  }
  return { ok: true, table: { lba, alternateLba, firstUsable, lastUsable, diskGuid: guidAt(sector, 56), entries, entryCount, entrySize } };
}

const hex = (n: number) => n.toString(16).padStart(8, '0');

/** The used entries of a verified table; entries outside the usable range are dropped with a warning. */
function partitionsOf(t: GptTable, warnings: string[]): PartitionInfo[] {
  const out: PartitionInfo[] = [];
  for (let i = 0; i < t.entryCount; i++) {
    const o = i * t.entrySize;
    if (guidIsZero(t.entries, o)) continue;
    const first = lba64(t.entries, o + 32);
    const lastLba = lba64(t.entries, o + 40);
    if (first < t.firstUsable || lastLba > t.lastUsable || first > lastLba || lastLba < 0) {
      warnings.push(`entry ${i + 1} (${first}..${lastLba}) lies outside the usable range ${t.firstUsable}..${t.lastUsable}; ignored`);
      continue;
    }
    const raw = t.entries.toString('utf16le', o + 56, o + 56 + NAME_BYTES);
    const nul = raw.indexOf('\u0000');
    out.push({
      index: i + 1, start: first, sectors: lastLba - first + 1,
      type: guidAt(t.entries, o), uuid: guidAt(t.entries, o + 16), name: nul >= 0 ? raw.slice(0, nul) : raw,
    });
  }
  return out;
}

/**
 * Reads a GPT: the primary header at LBA 1 and its entries, both CRC-checked; when the primary is
 * unusable the backup (at the primary's alternate LBA, else the last sector) is used instead, with
 * a warning. When neither is usable the result is `ok: false` with the primary's fault.
 */
export async function readGpt(src: SectorSource): Promise<ScanResult> {
  const warnings: string[] = [];
  if (src.sectors < 3) {
    return fail('truncated', `a ${src.sectors}-sector medium cannot hold a GPT`, warnings);
  }
  const last = src.sectors - 1;
  const primary = await loadHeader(src, 1);
  // Trust the primary's pointer to its backup only when the primary header itself verified.
  const alt = primary.ok ? primary.table.alternateLba : last;
  const backup = alt > 1 && alt <= last ? await loadHeader(src, alt) : await loadHeader(src, last);
  if (primary.ok) {
    if (!backup.ok) warnings.push(`backup GPT unusable: ${backup.detail}`);
    return { ok: true, scheme: 'gpt', source: 'primary', partitions: partitionsOf(primary.table, warnings), warnings };
  }
  if (backup.ok) {
    warnings.push(`primary GPT unusable (${primary.detail}); using the backup at LBA ${backup.table.lba}`);
    return { ok: true, scheme: 'gpt', source: 'backup', partitions: partitionsOf(backup.table, warnings), warnings };
  }
  return fail(primary.fault, `primary GPT: ${primary.detail}; backup GPT: ${backup.detail}`, warnings);
}

function fail(fault: TableFault, detail: string, warnings: string[]): ScanResult {
  return { ok: false, scheme: 'gpt', fault, error: devfsError('EINVAL', 'gpt', undefined, `corrupt GPT (${fault}): ${detail}`), warnings };
}

/** True when the sector holds a GPT header signature. */
export function hasGptSignature(sector: Buffer): boolean {
  return sector.length >= 8 && sector.toString('latin1', 0, 8) === SIGNATURE;
}
