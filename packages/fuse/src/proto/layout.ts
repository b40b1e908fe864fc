/**
 * The FUSE kernel protocol as `<linux/fuse.h>` (protocol 7.38) lays it out: opcodes, flags and
 * the byte offsets of every struct field this server reads or writes, all little-endian. Each
 * block is named after the header's struct; offsets are relative to the struct's start.
 */

/** Protocol version this server speaks (FUSE_KERNEL_VERSION.FUSE_KERNEL_MINOR_VERSION). */
export const FUSE_KERNEL_VERSION = 7;
export const FUSE_KERNEL_MINOR_VERSION = 38;

/** enum fuse_opcode (the ones answered; anything else gets ENOSYS). */
export const enum Op {
  LOOKUP = 1, FORGET = 2, GETATTR = 3, SETATTR = 4, READLINK = 5, SYMLINK = 6, MKNOD = 8, MKDIR = 9,
  UNLINK = 10, RMDIR = 11, RENAME = 12, LINK = 13, OPEN = 14, READ = 15, WRITE = 16, STATFS = 17,
  RELEASE = 18, FSYNC = 20, SETXATTR = 21, GETXATTR = 22, LISTXATTR = 23, REMOVEXATTR = 24, FLUSH = 25,
  INIT = 26, OPENDIR = 27, READDIR = 28, RELEASEDIR = 29, FSYNCDIR = 30, ACCESS = 34, CREATE = 35,
  INTERRUPT = 36, DESTROY = 38, IOCTL = 39, POLL = 40, BATCH_FORGET = 42, READDIRPLUS = 44, RENAME2 = 45,
}

/** enum fuse_notify_code (sent as the error field of an out header with unique 0). */
export const NOTIFY_POLL = 1;
export const NOTIFY_INVAL_INODE = 2;
export const NOTIFY_INVAL_ENTRY = 3;

/** FUSE_INIT flags (fuse_init_in.flags / fuse_init_out.flags). */
export const INIT_ASYNC_READ = 1 << 0;
export const INIT_BIG_WRITES = 1 << 5;
export const INIT_DONT_MASK = 1 << 6;
export const INIT_AUTO_INVAL_DATA = 1 << 12;
export const INIT_PARALLEL_DIROPS = 1 << 18;
export const INIT_MAX_PAGES = 1 << 22;
export const INIT_CACHE_SYMLINKS = 1 << 23;
export const INIT_EXT = 1 << 30;
/** FUSE_PASSTHROUGH (1 << 37): bit 5 of flags2 (protocol 7.40, after this header's 7.38). */
export const INIT2_PASSTHROUGH = 1 << 5;

/** fuse_open_out.open_flags. */
export const FOPEN_DIRECT_IO = 1 << 0;
export const FOPEN_KEEP_CACHE = 1 << 1;
export const FOPEN_NONSEEKABLE = 1 << 2;
export const FOPEN_PARALLEL_DIRECT_WRITES = 1 << 6;
/** FOPEN_PASSTHROUGH (7.40): reads and writes go to the backing file, in the kernel. */
export const FOPEN_PASSTHROUGH = 1 << 7;

/** fuse_setattr_in.valid bits. */
export const FATTR_MODE = 1 << 0;
export const FATTR_UID = 1 << 1;
export const FATTR_GID = 1 << 2;
export const FATTR_SIZE = 1 << 3;
export const FATTR_ATIME = 1 << 4;
export const FATTR_MTIME = 1 << 5;
export const FATTR_ATIME_NOW = 1 << 7;
export const FATTR_MTIME_NOW = 1 << 8;

/** fuse_poll_in.flags: the kernel wants a FUSE_NOTIFY_POLL when the file becomes ready. */
export const POLL_SCHEDULE_NOTIFY = 1 << 0;
/** fuse_ioctl_in.flags: an unrestricted ioctl (only CUSE sends those; refused here). */
export const IOCTL_UNRESTRICTED = 1 << 1;

/** Pages per request negotiated with FUSE_MAX_PAGES (the kernel's maximum, 1 MiB with 4 KiB pages). */
export const MAX_PAGES = 256;
/** Largest WRITE payload (max_write) and READ size the kernel will send. */
export const MAX_WRITE = MAX_PAGES * 4096;
/** Read buffer for one request: max_write plus room for the headers (the kernel checks it). */
export const REQUEST_BUFFER = MAX_WRITE + 4096;

/** struct fuse_in_header (40 bytes). */
export const IN_HEADER = { size: 40, len: 0, opcode: 4, unique: 8, nodeid: 16, uid: 24, gid: 28, pid: 32 } as const;
/** struct fuse_out_header (16 bytes). */
export const OUT_HEADER = { size: 16, len: 0, error: 4, unique: 8 } as const;
/** struct fuse_attr (88 bytes). */
export const ATTR = {
  size: 88, ino: 0, fsize: 8, blocks: 16, atime: 24, mtime: 32, ctime: 40, atimensec: 48, mtimensec: 52,
  ctimensec: 56, mode: 60, nlink: 64, uid: 68, gid: 72, rdev: 76, blksize: 80, flags: 84,
} as const;
/** struct fuse_entry_out (40 + fuse_attr). */
export const ENTRY_OUT = { size: 128, nodeid: 0, generation: 8, entryValid: 16, attrValid: 24, entryValidNsec: 32, attrValidNsec: 36, attr: 40 } as const;
/** struct fuse_attr_out (16 + fuse_attr). */
export const ATTR_OUT = { size: 104, attrValid: 0, attrValidNsec: 8, attr: 16 } as const;
/** struct fuse_init_in (the first 16 bytes; flags2 follows when INIT_EXT is set). */
export const INIT_IN = { major: 0, minor: 4, maxReadahead: 8, flags: 12, flags2: 16 } as const;
/** struct fuse_init_out (64 bytes). */
export const INIT_OUT = {
  size: 64, major: 0, minor: 4, maxReadahead: 8, flags: 12, maxBackground: 16, congestionThreshold: 18,
  maxWrite: 20, timeGran: 24, maxPages: 28, mapAlignment: 30, flags2: 32, maxStackDepth: 36,
} as const;
/** struct fuse_forget_in; struct fuse_batch_forget_in + fuse_forget_one[count]. */
export const FORGET_IN = { nlookup: 0 } as const;
export const BATCH_FORGET_IN = { size: 8, count: 0, oneSize: 16, oneNodeid: 0, oneNlookup: 8 } as const;
/** struct fuse_setattr_in (88 bytes). */
export const SETATTR_IN = { valid: 0, fh: 8, fsize: 16, atime: 32, mtime: 40, atimensec: 56, mtimensec: 60, mode: 68, uid: 76, gid: 80 } as const;
/** struct fuse_open_in; struct fuse_open_out (16 bytes). */
export const OPEN_IN = { flags: 0 } as const;
export const OPEN_OUT = { size: 16, fh: 0, openFlags: 8, backingId: 12 } as const;
/** struct fuse_read_in (40 bytes; also READDIR). */
export const READ_IN = { fh: 0, offset: 8, size: 16, flags: 32 } as const;
/** struct fuse_write_in (40 bytes, the data follows); struct fuse_write_out (8 bytes). */
export const WRITE_IN = { size: 40, fh: 0, offset: 8, wsize: 16, flags: 32 } as const;
export const WRITE_OUT = { size: 8, wsize: 0 } as const;
/** struct fuse_release_in (24 bytes); fuse_flush_in and fuse_fsync_in start with fh too. */
export const RELEASE_IN = { fh: 0, flags: 8 } as const;
/** struct fuse_access_in. */
export const ACCESS_IN = { mask: 0 } as const;
/** struct fuse_interrupt_in. */
export const INTERRUPT_IN = { unique: 0 } as const;
/** struct fuse_mknod_in (16 bytes, the name follows). */
export const MKNOD_IN = { size: 16, mode: 0 } as const;
/** struct fuse_poll_in; struct fuse_poll_out (8 bytes); struct fuse_notify_poll_wakeup_out. */
export const POLL_IN = { fh: 0, kh: 8, flags: 16, events: 20 } as const;
export const POLL_OUT = { size: 8, revents: 0 } as const;
export const NOTIFY_POLL_OUT = { size: 8, kh: 0 } as const;
/** struct fuse_ioctl_in (32 bytes); struct fuse_ioctl_out (16 bytes, the out data follows). */
export const IOCTL_IN = { size: 32, fh: 0, flags: 8, cmd: 12, arg: 16, inSize: 24, outSize: 28 } as const;
export const IOCTL_OUT = { size: 16, result: 0 } as const;
/** struct fuse_kstatfs inside struct fuse_statfs_out (80 bytes). */
export const STATFS_OUT = { size: 80, blocks: 0, bfree: 8, bavail: 16, files: 24, ffree: 32, bsize: 40, namelen: 44, frsize: 48 } as const;
/** struct fuse_dirent (24 bytes + name, padded to 8). */
export const DIRENT = { size: 24, ino: 0, off: 8, namelen: 16, type: 20 } as const;
/** struct fuse_notify_inval_inode_out (24 bytes). */
export const NOTIFY_INVAL_INODE_OUT = { size: 24, ino: 0, off: 8, len: 16 } as const;
/** struct fuse_notify_inval_entry_out (16 bytes, the name and a NUL follow). */
export const NOTIFY_INVAL_ENTRY_OUT = { size: 16, parent: 0, namelen: 8 } as const;
