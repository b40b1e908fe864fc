/**
 * Filesystem labels read from superblocks, for FreeBSD glabel-style links: ext2/3/4
 * (`ext2fs/<volume name>`) and FAT (`msdosfs/<LABEL>`). Every field is read within the bytes
 * given and checked (magic, signatures, plausible geometry); anything else is "no filesystem".
 */

/** What a superblock says. */
export interface FsLabel {
  /** glabel class: the link directory. */
  kind: 'ext2fs' | 'msdosfs';
  /** Volume label as stored (trimmed); undefined when the filesystem has none. */
  label?: string;
  /** ext2/3/4 filesystem UUID (lower case). */
  uuid?: string;
}

/** Bytes a caller should read from the start of a volume (the ext superblock ends at 2048). */
export const FS_PROBE_BYTES = 2048;

/** Offset of the ext2/3/4 superblock. */
const EXT_SB = 1024;
const EXT_MAGIC = 0xef53;

/** The volume's label, from its first bytes (`head`, up to FS_PROBE_BYTES); undefined when none is recognised. */
export function readFsLabel(head: Buffer): FsLabel | undefined {
  return readExt(head) ?? readFat(head);
}

function text(b: Buffer): string {
  const end = b.indexOf(0);
  return b.subarray(0, end < 0 ? b.length : end).toString('latin1').trim();
}

function readExt(head: Buffer): FsLabel | undefined {
  if (head.length < EXT_SB + 136) return undefined;
  const sb = head.subarray(EXT_SB, EXT_SB + 1024);
  if (sb.readUInt16LE(56) !== EXT_MAGIC) return undefined;
  if (sb.readUInt32LE(24) > 6 || sb.readUInt32LE(4) === 0) return undefined; // block size 1..64 KiB, some blocks
  const u = sb.subarray(104, 120).toString('hex');
  const uuid = /^0+$/.test(u) ? undefined : `${u.slice(0, 8)}-${u.slice(8, 12)}-${u.slice(12, 16)}-${u.slice(16, 20)}-${u.slice(20)}`;
  const label = text(sb.subarray(120, 136));
  return { kind: 'ext2fs', ...(label ? { label } : {}), ...(uuid ? { uuid } : {}) };
}

function readFat(head: Buffer): FsLabel | undefined {
  if (head.length < 512 || head[510] !== 0x55 || head[511] !== 0xaa) return undefined;
  const bps = head.readUInt16LE(11);
  const spc = head[13];
  if (![512, 1024, 2048, 4096].includes(bps) || spc === 0 || (spc & (spc - 1)) !== 0 || head[16] === 0 || head.readUInt16LE(14) === 0) return undefined;
  const fat32 = head.readUInt16LE(22) === 0;
  const [sig, at, type] = fat32 ? [0x42, 0x47, 0x52] : [0x26, 0x2b, 0x36];
  if (head[sig] !== 0x29 && head[sig] !== 0x28) return { kind: 'msdosfs' };
  if (!head.subarray(type, type + 8).toString('latin1').startsWith('FAT')) return undefined;
  const label = head[sig] === 0x29 ? text(head.subarray(at, at + 11)) : '';
  return { kind: 'msdosfs', ...(label && label !== 'NO NAME' ? { label } : {}) };
}
