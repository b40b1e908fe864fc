import type { PartitionInfo, ScanResult, SectorSource } from './types';

/** Offset of the four 16-byte entries in an MBR or EBR. */
const TABLE_OFFSET = 0x1be;
/** Partition types that hold an EBR chain (DOS, Win95 LBA, Linux extended). */
const EXTENDED_TYPES = new Set([0x05, 0x0f, 0x85]);
/** GPT protective entry type. */
export const TYPE_GPT_PROTECTIVE = 0xee;
/** Most logical partitions followed in one chain (Linux stops far earlier in practice). */
const MAX_LOGICALS = 256;

/** One raw 16-byte entry. */
interface RawEntry {
  status: number;
  type: number;
  start: number;
  sectors: number;
}

/** The four raw entries of an MBR/EBR sector. */
function entries(sector: Buffer): RawEntry[] {
  const out: RawEntry[] = [];
  for (let i = 0; i < 4; i++) {
    const o = TABLE_OFFSET + 16 * i;
    out.push({ status: sector[o], type: sector[o + 4], start: sector.readUInt32LE(o + 8), sectors: sector.readUInt32LE(o + 12) });
  }
  return out;
}

/** True when the sector ends in the 0x55 0xAA boot signature. */
export function hasBootSignature(sector: Buffer): boolean {
  return sector.length >= 512 && sector[510] === 0x55 && sector[511] === 0xaa;
}

/**
 * True when sector 0 holds a plausible MBR partition table: boot signature and every status
 * byte 0x00 or 0x80 (a FAT boot sector also has the signature but fails this).
 */
export function isMbr(sector0: Buffer): boolean {
  return hasBootSignature(sector0) && entries(sector0).every((e) => e.status === 0 || e.status === 0x80);
}

/** True when the MBR carries a GPT protective (0xEE) entry. */
export function isProtectiveMbr(sector0: Buffer): boolean {
  return isMbr(sector0) && entries(sector0).some((e) => e.type === TYPE_GPT_PROTECTIVE);
}

const hexType = (t: number) => t.toString(16);

/**
 * Reads an MBR: primaries numbered 1–4 by their slot, then the logical partitions of each
 * extended partition's EBR chain numbered 5, 6, … in chain order. Partitions that do not fit the
 * medium, EBRs without a signature and chain loops are skipped with a warning, never thrown.
 */
export async function readMbr(src: SectorSource, sector0: Buffer): Promise<ScanResult> {
  const partitions: PartitionInfo[] = [];
  const warnings: string[] = [];
  const fits = (start: number, sectors: number) => start >= 1 && start + sectors <= src.sectors;
  let next = 5;

  const primaries = entries(sector0);
  for (let slot = 0; slot < 4; slot++) {
    const e = primaries[slot];
    if (e.type === 0 || e.sectors === 0) continue;
    const extended = EXTENDED_TYPES.has(e.type);
    if (!fits(e.start, e.sectors)) {
      warnings.push(`partition ${slot + 1} (${e.start}+${e.sectors}) extends beyond the ${src.sectors}-sector medium; ignored`);
      if (!extended) continue;
    } else {
      partitions.push({ index: slot + 1, start: e.start, sectors: e.sectors, type: hexType(e.type), ...(extended ? { extended: true } : {}) });
    }
    if (extended) next = await readChain(src, e, next, partitions, warnings);
  }
  return { ok: true, scheme: 'mbr', partitions, warnings };
}

/**
 * Follows one EBR chain inside extended partition `ext`; returns the next free index. Every EBR
 * read lies in 1..end of the extended partition (clamped to the medium), so an extended entry
 * starting at sector 0 never makes the MBR itself be read as an EBR (libblkid: "bad offset in
 * primary extended partition"); a chain that revisits an EBR is cut.
 */
async function readChain(src: SectorSource, ext: RawEntry, next: number, out: PartitionInfo[], warnings: string[]): Promise<number> {
  if (ext.start < 1) {
    warnings.push(`extended partition starts at sector ${ext.start}, inside the MBR; its EBR chain is not read`);
    return next;
  }
  const extEnd = Math.min(ext.start + ext.sectors, src.sectors);
  const seen = new Set<number>();
  let ebr = ext.start;
  for (let n = 0; n < MAX_LOGICALS; n++) {
    if (ebr < ext.start || ebr >= extEnd) {
      warnings.push(`EBR at sector ${ebr} lies outside its extended partition (${ext.start}+${ext.sectors}); chain cut`);
      return next;
    }
    if (seen.has(ebr)) {
      warnings.push(`EBR chain loops back to sector ${ebr}; chain cut`);
      return next;
    }
    seen.add(ebr);
    const sector = await src.readSectors(ebr, 1);
    if (!hasBootSignature(sector)) {
      if (n > 0) warnings.push(`EBR at sector ${ebr} has no boot signature; chain cut`);
      return next;
    }
    const [data, link] = entries(sector);
    if (data.type !== 0 && data.sectors !== 0) {
      const start = ebr + data.start;
      if (data.start === 0 || start + data.sectors > extEnd) {
        warnings.push(`logical partition ${next} (${start}+${data.sectors}) does not fit its extended partition; ignored`);
      } else {
        out.push({ index: next, start, sectors: data.sectors, type: hexType(data.type) });
      }
      next++;
    }
    if (!EXTENDED_TYPES.has(link.type) || link.sectors === 0) return next;
    ebr = ext.start + link.start;
  }
  warnings.push(`more than ${MAX_LOGICALS} logical partitions; chain cut`);
  return next;
}
