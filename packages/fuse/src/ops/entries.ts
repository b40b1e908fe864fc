/**
 * Name and attribute operations: LOOKUP, GETATTR, SETATTR, READLINK, SYMLINK, UNLINK, MKNOD,
 * ACCESS, STATFS — each the caller's mount's own call with the caller's credential, so its
 * errors (ENOENT for what the view hides, EACCES, EPERM in jails, EROFS) are the reply.
 */
import { S_IFDIR, S_IFMT } from '@devfs/core';
import type { DevStat } from '@devfs/core';
import { attrOut, entryOut, names, u64 } from '../proto/codec';
import { ACCESS_IN, FATTR_ATIME, FATTR_ATIME_NOW, FATTR_GID, FATTR_MODE, FATTR_MTIME, FATTR_MTIME_NOW, FATTR_UID, MKNOD_IN, SETATTR_IN, STATFS_OUT } from '../proto/layout';
import { childPath, ROOT_ID } from '../nodes';
import type { FuseNode } from '../nodes';
import { exportAttr, fail } from '../context';
import type { Call, ExportState } from '../context';

/** The path of the request's node (ENOENT for an id the kernel should no longer use). */
export function pathOf(c: Call): string {
  if (!c.node) fail('ENOENT');
  return c.node.path;
}

/**
 * Seconds the kernel may keep the attributes of `node` from this caller's answer: the export's
 * cache time with one view; else ATTR_SECONDS on a node of the caller's own view (no other view's
 * caller ever reaches that inode), and 0 on the shared root or another view's node.
 */
function attrTimeout(s: ExportState, c: Call, node: FuseNode | undefined): number {
  if (s.timeout > 0) return s.timeout;
  return node !== undefined && node.id !== ROOT_ID && node.view === c.mount().name ? ATTR_SECONDS : 0;
}

/** Attribute cache time of a per-view inode (changes are pushed as FUSE_NOTIFY_INVAL_INODE). */
const ATTR_SECONDS = 1;

/** Answers with a fuse_entry_out for `path` (a new kernel reference to its node in the caller's view). */
function entry(s: ExportState, c: Call, path: string): Buffer {
  const m = c.mount();
  const st = m.lstat(path, c.cred);
  const { kind, attr } = exportAttr(st, path, s);
  const n = s.nodes.remember(m.name, path, kind);
  return entryOut(n.id, attr, s.timeout, attrTimeout(s, c, n));
}

/** LOOKUP: the name in the parent directory, as the caller's mount shows it. */
export function lookup(s: ExportState, c: Call): Buffer {
  const [name] = names(c.body, 0, 1);
  return entry(s, c, childPath(pathOf(c), name));
}

function attrReply(s: ExportState, c: Call, st: DevStat, path: string): Buffer {
  return attrOut(exportAttr(st, path, s).attr, attrTimeout(s, c, c.node));
}

/** GETATTR. */
export function getattr(s: ExportState, c: Call): Buffer {
  const path = pathOf(c);
  return attrReply(s, c, c.mount().lstat(path, c.cred), path);
}

/**
 * SETATTR: mode → chmod, uid/gid → chown, times → utimes; a size change (O_TRUNC, truncate) is
 * accepted and ignored on a device (as for a character device), EISDIR on a directory.
 */
export function setattr(s: ExportState, c: Call): Buffer {
  const path = pathOf(c);
  const m = c.mount();
  const b = c.body;
  const valid = b.readUInt32LE(SETATTR_IN.valid);
  if (valid & FATTR_MODE) m.chmod(path, b.readUInt32LE(SETATTR_IN.mode) & 0o7777, c.cred);
  if (valid & (FATTR_UID | FATTR_GID)) {
    m.chown(path, valid & FATTR_UID ? b.readUInt32LE(SETATTR_IN.uid) : -1, valid & FATTR_GID ? b.readUInt32LE(SETATTR_IN.gid) : -1, c.cred);
  }
  if (valid & (FATTR_ATIME | FATTR_MTIME)) {
    const cur = m.stat(path, c.cred);
    const time = (flag: number, now: number, sec: number, nsec: number, keep: number) =>
      !(valid & flag) ? keep : valid & now ? Date.now() : u64(b, sec) * 1000 + b.readUInt32LE(nsec) / 1e6;
    m.utimes(path, time(FATTR_ATIME, FATTR_ATIME_NOW, SETATTR_IN.atime, SETATTR_IN.atimensec, cur.atimeMs),
      time(FATTR_MTIME, FATTR_MTIME_NOW, SETATTR_IN.mtime, SETATTR_IN.mtimensec, cur.mtimeMs), c.cred);
  }
  const st = m.lstat(path, c.cred);
  if ((valid & 8 /* FATTR_SIZE */) && (st.mode & S_IFMT) === S_IFDIR) fail('EISDIR');
  return attrReply(s, c, st, path);
}

/** READLINK: a link's target, or the host path a device is shown as. */
export function readlink(s: ExportState, c: Call): Buffer {
  const path = pathOf(c);
  const m = c.mount();
  const st = m.lstat(path, c.cred);
  const { kind, info } = exportAttr(st, path, s);
  if (info.hostPath !== undefined) return Buffer.from(info.hostPath);
  if (kind !== 'link') fail('EINVAL');
  return Buffer.from(m.readlink(path, c.cred));
}

/** SYMLINK: name, then target. */
export function symlink(s: ExportState, c: Call): Buffer {
  const [name, target] = names(c.body, 0, 2);
  const path = childPath(pathOf(c), name);
  c.mount().symlink(target, path, c.cred);
  return entry(s, c, path);
}

/** UNLINK: a device is whited out in this mount, a user link removed. */
export function unlink(s: ExportState, c: Call): Buffer {
  const [name] = names(c.body, 0, 1);
  c.mount().unlink(childPath(pathOf(c), name), c.cred);
  return Buffer.alloc(0);
}

/** MKNOD: only un-whiteout of a device the mount hid by unlink (devfs mknod). */
export function mknod(s: ExportState, c: Call): Buffer {
  const [name] = names(c.body, MKNOD_IN.size, 1);
  const path = childPath(pathOf(c), name);
  c.mount().mknod(path, c.cred);
  return entry(s, c, path);
}

/** ACCESS: devfs's own permission bits for the caller (root passes; X needs an x bit on files). */
export function access(s: ExportState, c: Call): Buffer {
  const path = pathOf(c);
  const st = c.mount().stat(path, c.cred);
  const want = c.body.readUInt32LE(ACCESS_IN.mask) & 7;
  const cr = c.cred;
  let bits: number;
  if (cr.uid === 0) bits = (st.mode & S_IFMT) === S_IFDIR || (st.mode & 0o111) ? 7 : 6;
  else if (cr.uid === st.uid) bits = (st.mode >> 6) & 7;
  else if (cr.gid === st.gid || (cr.groups ?? []).includes(st.gid)) bits = (st.mode >> 3) & 7;
  else bits = st.mode & 7;
  if ((bits & want) !== want) fail('EACCES');
  return Buffer.alloc(0);
}

/** STATFS: no blocks, names up to 255 bytes. */
export function statfs(): Buffer {
  const b = Buffer.alloc(STATFS_OUT.size);
  b.writeUInt32LE(4096, STATFS_OUT.bsize);
  b.writeUInt32LE(255, STATFS_OUT.namelen);
  b.writeUInt32LE(4096, STATFS_OUT.frsize);
  return b;
}
