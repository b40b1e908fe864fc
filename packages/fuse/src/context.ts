/**
 * What every operation handler gets: the request with its caller and mount, the shared tables,
 * and the reply functions. Handlers may answer later (many requests are in flight at once).
 */
import * as os from 'os';
import type { Cdev, Cred, DevFile, DevStat, Kernel, Mount } from '@devfs/core';
import { S_IFDIR, S_IFLNK, S_IFMT } from '@devfs/core';
import type { Attr } from './proto/codec';
import type { FuseNode, NodeKind, NodeTable } from './nodes';
import type { FuseSession } from './session';

/** What the export knows about a device beyond its stat (supplied by the caller, e.g. the CLI). */
export interface DeviceInfo {
  /** Media size in bytes (disks): the file's size, and BLKGETSIZE64. */
  size?: number;
  /** Sector size (disks): reads and writes are widened to whole sectors. */
  sectorSize?: number;
  /** A host path the node is shown as a symlink to (a pty's own slave, /dev/pts/M). */
  hostPath?: string;
  /** The file whose bytes are the device's from offset 0 (a whole vnode disk): passthrough reads. */
  backingFile?: string;
}

/** Options of the export. */
export interface FuseExportOptions {
  kernel: Kernel;
  /** Mount point (created when missing). */
  dir: string;
  /** The mount that answers a caller (the daemon's access map); undefined → EACCES. */
  mountFor(cred: Cred): Mount | undefined;
  /** Extra facts about a device (size, sector size, host link). */
  describe?(dev: Cdev): DeviceInfo | undefined;
  /**
   * Seconds the kernel may cache names and attributes. 0 (the default) when callers see different
   * mounts: the kernel's caches are shared by every caller. Give a positive value only when one
   * mount answers everyone (`--fuse-mount`); changes are then pushed as invalidations.
   */
  cacheSeconds?: number;
  /**
   * Bytes of WRITE payload callers other than root may have waiting at once (a device that does
   * not take data holds them); past it their writes get ENOBUFS. Default 64 MiB.
   */
  maxHeldWriteBytes?: number;
  /**
   * Experimental: read-only opens of a device with `backingFile` use FUSE passthrough (the kernel
   * reads the file itself; needs root and a kernel with FUSE_PASSTHROUGH). Off by default.
   */
  passthrough?: boolean;
  /** Where the export's own lines go (already short; never a caller's raw bytes). */
  log?(line: string): void;
}

/** An open device handle (FUSE fh). */
export interface OpenFile {
  file: DevFile;
  path: string;
  info: DeviceInfo;
  /** Poll handles (kh) already waiting for readiness, so one wait serves a kernel poll handle. */
  polls: Set<number>;
  /** The passthrough backing id, released at RELEASE. */
  backingId?: number;
}

/** An open directory: its entries, read once at OPENDIR. */
export interface OpenDir { entries: { name: string; ino: number; type: number }[] }

/** One request being answered. */
export interface Call {
  unique: number;
  node: FuseNode | undefined;
  nodeid: number;
  cred: Cred;
  body: Buffer;
  /** The caller's mount (resolved on first use). */
  mount(): Mount;
  /** Set when FUSE_INTERRUPT arrives for this request. */
  interrupted: boolean;
  /** Bytes of this request counted against the non-root write budget. */
  held: number;
  /** Called when FUSE_INTERRUPT arrives (a blocking wait ends with EINTR). */
  onInterrupt?: () => void;
}

/** The state shared by the handlers. */
export interface ExportState {
  opts: FuseExportOptions;
  session: FuseSession;
  nodes: NodeTable;
  files: Map<number, OpenFile>;
  dirs: Map<number, OpenDir>;
  nextFh: number;
  timeout: number;
  /** FUSE_PASSTHROUGH was asked for and the kernel agreed (FUSE_INIT). */
  passthrough: boolean;
}

/** A positive errno for an error's code (EIO when it has none the host knows). */
export function errnoOf(err: unknown): number {
  const code = (err as { code?: unknown })?.code;
  const n = typeof code === 'string' ? (os.constants.errno as Record<string, number>)[code] : undefined;
  return n ?? os.constants.errno.EIO;
}

/** A thrown errno reply. */
export class Errno extends Error {
  constructor(readonly errno: number) {
    super(`errno ${errno}`);
  }
}

/** Throws a reply of `code` (e.g. 'ENOENT'). */
export function fail(code: string): never {
  throw new Errno((os.constants.errno as Record<string, number>)[code] ?? os.constants.errno.EIO);
}

/** How a stat shows in the export: its kind, its fuse_attr, and what the caller said of the device. */
export function exportAttr(st: DevStat, path: string, s: ExportState): { kind: NodeKind; attr: Attr; info: DeviceInfo } {
  const attr: Attr = {
    ino: st.ino, size: 0, mode: st.mode, nlink: st.nlink || 1, uid: st.uid, gid: st.gid,
    atimeMs: st.atimeMs, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs,
  };
  const fmt = st.mode & S_IFMT;
  if (fmt === S_IFDIR) {
    attr.nlink = 2;
    return { kind: 'dir', attr, info: NO_INFO };
  }
  if (fmt === S_IFLNK) {
    attr.size = st.size;
    return { kind: 'link', attr, info: NO_INFO };
  }
  const dev = s.opts.describe ? s.opts.kernel.lookupDev(path) : undefined;
  const info = (dev && s.opts.describe!(dev)) || NO_INFO;
  if (info.hostPath !== undefined) {
    attr.size = Buffer.byteLength(info.hostPath);
    attr.mode = S_IFLNK | 0o777;
    return { kind: 'link', attr, info };
  }
  // A device is a regular file (FUSE cannot serve a character device node).
  attr.size = info.size ?? 0;
  attr.mode = S_IFREG | (st.mode & 0o7777);
  return { kind: 'file', attr, info };
}

const S_IFREG = 0o100000;
const NO_INFO: DeviceInfo = Object.freeze({});
