/**
 * Reading requests and building replies of the FUSE protocol (offsets in ./layout). A request is
 * one Buffer as read from /dev/fuse; a reply is a list of Buffers written with one writev.
 */
import { ATTR, ATTR_OUT, DIRENT, ENTRY_OUT, IN_HEADER, OUT_HEADER } from './layout';

/** The fields of struct fuse_in_header, and the body that follows it. */
export interface Request {
  opcode: number;
  unique: number;
  nodeid: number;
  uid: number;
  gid: number;
  pid: number;
  /** The opcode's argument struct(s) and names, without the header. */
  body: Buffer;
}

/** Parses one request; undefined when it is shorter than its header claims (never sent by a kernel). */
export function parseRequest(buf: Buffer): Request | undefined {
  if (buf.length < IN_HEADER.size) return undefined;
  const len = buf.readUInt32LE(IN_HEADER.len);
  if (len < IN_HEADER.size || len > buf.length) return undefined;
  return {
    opcode: buf.readUInt32LE(IN_HEADER.opcode),
    unique: u64(buf, IN_HEADER.unique),
    nodeid: u64(buf, IN_HEADER.nodeid),
    uid: buf.readUInt32LE(IN_HEADER.uid),
    gid: buf.readUInt32LE(IN_HEADER.gid),
    pid: buf.readUInt32LE(IN_HEADER.pid),
    body: buf.subarray(IN_HEADER.size, len),
  };
}

/** Reads a u64 field as a number (sizes, offsets and ids here stay far below 2^53). */
export function u64(buf: Buffer, off: number): number {
  return buf.readUInt32LE(off) + buf.readUInt32LE(off + 4) * 0x100000000;
}

/** Writes a non-negative integer below 2^53 as a u64 field (no BigInt on the hot path). */
export function putU64(buf: Buffer, value: number, off: number): void {
  buf.writeUInt32LE(value % 0x100000000, off);
  buf.writeUInt32LE(Math.floor(value / 0x100000000), off + 4);
}

/** The NUL-terminated names in a body from `off` (LOOKUP: one; SYMLINK: name then target). */
export function names(body: Buffer, off: number, count: number): string[] {
  const out: string[] = [];
  let p = off;
  for (let i = 0; i < count; i++) {
    let end = body.indexOf(0, p);
    if (end < 0) end = body.length;
    out.push(body.toString('utf8', p, end));
    p = end + 1;
  }
  return out;
}

/** struct fuse_out_header for a reply (`error` is 0 or a negative errno) or a notification (`unique` 0). */
export function outHeader(unique: number, error: number, payloadLength: number): Buffer {
  const h = Buffer.allocUnsafe(OUT_HEADER.size);
  h.writeUInt32LE(OUT_HEADER.size + payloadLength, OUT_HEADER.len);
  h.writeInt32LE(error, OUT_HEADER.error);
  putU64(h, unique, OUT_HEADER.unique);
  return h;
}

/** What fuse_attr carries, in devfs terms. */
export interface Attr {
  ino: number;
  size: number;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  atimeMs: number;
  mtimeMs: number;
  ctimeMs: number;
}

function writeTime(buf: Buffer, secOff: number, nsecOff: number, ms: number): void {
  const sec = Math.floor(ms / 1000);
  putU64(buf, Math.max(0, sec), secOff);
  buf.writeUInt32LE(Math.max(0, Math.round((ms - sec * 1000) * 1e6)) % 1e9, nsecOff);
}

/** Writes struct fuse_attr at `off`. */
export function writeAttr(buf: Buffer, off: number, a: Attr): void {
  buf.fill(0, off, off + ATTR.size);
  putU64(buf, a.ino, off + ATTR.ino);
  putU64(buf, a.size, off + ATTR.fsize);
  putU64(buf, Math.ceil(a.size / 512), off + ATTR.blocks);
  writeTime(buf, off + ATTR.atime, off + ATTR.atimensec, a.atimeMs);
  writeTime(buf, off + ATTR.mtime, off + ATTR.mtimensec, a.mtimeMs);
  writeTime(buf, off + ATTR.ctime, off + ATTR.ctimensec, a.ctimeMs);
  buf.writeUInt32LE(a.mode >>> 0, off + ATTR.mode);
  buf.writeUInt32LE(a.nlink, off + ATTR.nlink);
  buf.writeUInt32LE(a.uid >>> 0, off + ATTR.uid);
  buf.writeUInt32LE(a.gid >>> 0, off + ATTR.gid);
  buf.writeUInt32LE(4096, off + ATTR.blksize);
}

function writeTimeout(buf: Buffer, secOff: number, nsecOff: number, seconds: number): void {
  putU64(buf, Math.floor(seconds), secOff);
  buf.writeUInt32LE(Math.round((seconds % 1) * 1e9), nsecOff);
}

/** struct fuse_entry_out: a name resolved to `nodeid`; the kernel may keep the name and the attributes for the given seconds. */
export function entryOut(nodeid: number, a: Attr, entryTimeout: number, attrTimeout: number): Buffer {
  const b = Buffer.alloc(ENTRY_OUT.size);
  putU64(b, nodeid, ENTRY_OUT.nodeid);
  writeTimeout(b, ENTRY_OUT.entryValid, ENTRY_OUT.entryValidNsec, entryTimeout);
  writeTimeout(b, ENTRY_OUT.attrValid, ENTRY_OUT.attrValidNsec, attrTimeout);
  writeAttr(b, ENTRY_OUT.attr, a);
  return b;
}

/** struct fuse_attr_out. */
export function attrOut(a: Attr, timeout: number): Buffer {
  const b = Buffer.alloc(ATTR_OUT.size);
  writeTimeout(b, ATTR_OUT.attrValid, ATTR_OUT.attrValidNsec, timeout);
  writeAttr(b, ATTR_OUT.attr, a);
  return b;
}

/** d_type values of struct fuse_dirent.type. */
export const DT_DIR = 4;
export const DT_REG = 8;
export const DT_LNK = 10;

/**
 * Packs struct fuse_dirent records for entries [from, ...) until `size` bytes are used; each
 * record's `off` is the index of the next entry (what the kernel sends back to continue).
 */
export function packDirents(entries: { name: string; ino: number; type: number }[], from: number, size: number): Buffer {
  const parts: Buffer[] = [];
  let used = 0;
  for (let i = from; i < entries.length; i++) {
    const e = entries[i];
    const nameLen = Buffer.byteLength(e.name);
    const rec = (DIRENT.size + nameLen + 7) & ~7;
    if (used + rec > size) break;
    const b = Buffer.alloc(rec);
    putU64(b, e.ino || 1, DIRENT.ino);
    putU64(b, i + 1, DIRENT.off);
    b.writeUInt32LE(nameLen, DIRENT.namelen);
    b.writeUInt32LE(e.type, DIRENT.type);
    b.write(e.name, DIRENT.size, 'utf8');
    parts.push(b);
    used += rec;
  }
  return Buffer.concat(parts, used);
}
