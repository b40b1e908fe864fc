/**
 * Device I/O: OPEN, READ, WRITE, RELEASE, FLUSH, FSYNC, POLL, IOCTL. Every handle is opened
 * non-blocking in devfs; a blocking caller's EAGAIN waits for poll readiness here, so that
 * FUSE_INTERRUPT (a signal to the caller) can end the wait with EINTR. Disks are read and written
 * at the request's offset, widened to whole sectors; character devices are streams.
 */
import * as fs from 'fs';
import { O_ACCMODE, O_NONBLOCK, O_RDONLY, O_RDWR, O_WRONLY, POLLIN, POLLOUT } from '@devfs/core';
import type { DevFile, Mount } from '@devfs/core';
import { native } from '@devfs/native';
import { u64 } from '../proto/codec';
import {
  FOPEN_DIRECT_IO, FOPEN_PARALLEL_DIRECT_WRITES, FOPEN_PASSTHROUGH, IOCTL_IN, IOCTL_OUT, IOCTL_UNRESTRICTED, NOTIFY_POLL, NOTIFY_POLL_OUT, OPEN_IN, OPEN_OUT,
  POLL_IN, POLL_OUT, POLL_SCHEDULE_NOTIFY, READ_IN, RELEASE_IN, WRITE_IN, WRITE_OUT,
} from '../proto/layout';
import { Errno, exportAttr, fail } from '../context';
import type { Call, DeviceInfo, ExportState, OpenFile } from '../context';
import { pathOf } from './entries';
import * as os from 'os';

/** A blocked read or write re-checks for FUSE_INTERRUPT at least this often. */
const WAIT_SLICE_MS = 1000;

/** BLKGETSIZE64 = _IOR(0x12, 114, size_t): the media size, answered from DeviceInfo.size. */
export const BLKGETSIZE64 = 0x80081272;

function fileOf(s: ExportState, c: Call): OpenFile {
  const f = s.files.get(u64(c.body, 0));
  if (!f) fail('EBADF');
  return f;
}

/**
 * OPEN: Mount.open with the caller's credential; direct I/O so no device byte is cached. Disk
 * writes at different offsets may run in parallel (a stream's writes stay one at a time: the
 * kernel serialises writes past a file's size, and a stream's size is 0).
 */
export async function open(s: ExportState, c: Call): Promise<Buffer> {
  const path = pathOf(c);
  const m = c.mount();
  const flags = c.body.readUInt32LE(OPEN_IN.flags);
  const { info } = exportAttr(m.lstat(path, c.cred), path, s);
  const file = await openDevice(m, path, flags & O_ACCMODE, info, c);
  const fh = s.nextFh++;
  const of: OpenFile = { file, path, info, polls: new Set() };
  s.files.set(fh, of);
  const out = Buffer.alloc(OPEN_OUT.size);
  out.writeBigUInt64LE(BigInt(fh), OPEN_OUT.fh);
  if (s.passthrough && info.backingFile !== undefined && (flags & O_ACCMODE) === O_RDONLY) {
    of.backingId = await backingOf(s, info.backingFile);
    out.writeUInt32LE(FOPEN_PASSTHROUGH, OPEN_OUT.openFlags);
    out.writeUInt32LE(of.backingId, OPEN_OUT.backingId);
    return out;
  }
  out.writeUInt32LE(FOPEN_DIRECT_IO | (info.sectorSize !== undefined ? FOPEN_PARALLEL_DIRECT_WRITES : 0), OPEN_OUT.openFlags);
  return out;
}

/**
 * The devfs handle of an OPEN, always non-blocking (blocking is done here, interruptibly). A
 * write-only open of a disk is made read-write when the caller may also read: a write of part of
 * a sector must read the rest of it (the kernel's own FUSE file still refuses the caller's reads).
 */
async function openDevice(m: Mount, path: string, acc: number, info: DeviceInfo, c: Call): Promise<DevFile> {
  if (acc === O_WRONLY && info.sectorSize !== undefined) {
    try {
      return await m.open(path, O_RDWR | O_NONBLOCK, c.cred);
    } catch (err) {
      if ((err as { code?: string }).code !== 'EACCES') throw err;
    }
  }
  return m.open(path, acc | O_NONBLOCK, c.cred);
}

/** Registers `file` (opened read-only, asynchronously: it is not our mount) as a backing file. */
async function backingOf(s: ExportState, file: string): Promise<number> {
  const h = await fs.promises.open(file, 'r');
  try {
    return native.fuseBackingOpen(s.session.fd, h.fd);
  } finally {
    await h.close();
  }
}

/** Runs `attempt`; a blocking caller's EAGAIN waits for `events` (EINTR on FUSE_INTERRUPT) and retries. */
async function blocking<T>(c: Call, f: OpenFile, nonblock: boolean, events: number, attempt: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      if ((err as { code?: string }).code !== 'EAGAIN' || nonblock) throw err;
    }
    if (c.interrupted) throw new Errno(os.constants.errno.EINTR);
    await new Promise<void>((resolve, reject) => {
      c.onInterrupt = () => reject(new Errno(os.constants.errno.EINTR));
      // waits in slices, so a wait whose caller was interrupted ends within one (no pile-up)
      const wait = (): void => {
        f.file.poll(events, WAIT_SLICE_MS).then((r) => (r !== 0 || c.interrupted ? resolve() : wait()), reject);
      };
      wait();
    });
  }
}

/** The sector-aligned span [start, end) covering [off, off + len). */
function span(f: OpenFile, off: number, len: number): [number, number] {
  const ss = f.info.sectorSize ?? 1;
  return [off - (off % ss), Math.ceil((off + len) / ss) * ss];
}

/** READ. */
export async function read(s: ExportState, c: Call): Promise<Buffer> {
  const f = fileOf(s, c);
  const off = u64(c.body, READ_IN.offset);
  let size = c.body.readUInt32LE(READ_IN.size);
  if (f.info.sectorSize === undefined) {
    // the buffer is made per attempt: a reader waiting for data holds no memory meanwhile
    let buf = Buffer.alloc(0);
    const nonblock = (c.body.readUInt32LE(READ_IN.flags) & O_NONBLOCK) !== 0;
    const n = await blocking(c, f, nonblock, POLLIN, () => f.file.read(buf = Buffer.allocUnsafe(size)));
    return buf.subarray(0, n);
  }
  if (f.info.size !== undefined) {
    if (off >= f.info.size) return Buffer.alloc(0);
    size = Math.min(size, f.info.size - off);
  }
  const [start, end] = span(f, off, size);
  const buf = Buffer.allocUnsafe(end - start);
  const n = await f.file.read(buf, start);
  return buf.subarray(off - start, Math.max(off - start, Math.min(n, off - start + size)));
}

/** WRITE: a disk takes the whole write (partial sectors read, merged, written back); a stream as much as it accepts. */
export async function write(s: ExportState, c: Call): Promise<Buffer> {
  const f = fileOf(s, c);
  const off = u64(c.body, WRITE_IN.offset);
  const len = c.body.readUInt32LE(WRITE_IN.wsize);
  const data = c.body.subarray(WRITE_IN.size, WRITE_IN.size + len);
  let done = 0;
  if (f.info.sectorSize === undefined) {
    const nonblock = (c.body.readUInt32LE(WRITE_IN.flags) & O_NONBLOCK) !== 0;
    while (done < data.length) {
      const n = await blocking(c, f, nonblock && done === 0, POLLOUT, () => f.file.write(data.subarray(done)));
      if (n <= 0) break;
      done += n;
      if (nonblock) break;
    }
  } else {
    const [start, end] = span(f, off, data.length);
    if (start === off && end === off + data.length) {
      done = await f.file.write(data, off);
    } else {
      const buf = Buffer.alloc(end - start);
      await f.file.read(buf, start);
      data.copy(buf, off - start);
      await f.file.write(buf, start);
      done = data.length;
    }
  }
  const out = Buffer.alloc(WRITE_OUT.size);
  out.writeUInt32LE(done, WRITE_OUT.wsize);
  return out;
}

/** RELEASE: the last close of the caller's file closes the devfs handle. */
export async function release(s: ExportState, c: Call): Promise<Buffer> {
  const fh = u64(c.body, RELEASE_IN.fh);
  const f = s.files.get(fh);
  s.files.delete(fh);
  if (f?.backingId !== undefined) native.fuseBackingClose(s.session.fd, f.backingId);
  if (f) await f.file.close();
  return Buffer.alloc(0);
}

/** FLUSH and FSYNC: every write already reached the driver. */
export function flush(): Buffer {
  return Buffer.alloc(0);
}

/** POLL: ready bits now; when none and the kernel asks, one wait per poll handle sends FUSE_NOTIFY_POLL. */
export async function poll(s: ExportState, c: Call): Promise<Buffer> {
  const f = fileOf(s, c);
  const kh = u64(c.body, POLL_IN.kh);
  const events = c.body.readUInt32LE(POLL_IN.events);
  const revents = await f.file.poll(events, 0);
  if (revents === 0 && (c.body.readUInt32LE(POLL_IN.flags) & POLL_SCHEDULE_NOTIFY) && !f.polls.has(kh)) {
    f.polls.add(kh);
    f.file.poll(events).then(() => {
      f.polls.delete(kh);
      const b = Buffer.alloc(NOTIFY_POLL_OUT.size);
      b.writeBigUInt64LE(BigInt(kh), NOTIFY_POLL_OUT.kh);
      if (!f.file.closed) s.session.notify(NOTIFY_POLL, b);
    }, () => f.polls.delete(kh));
  }
  const out = Buffer.alloc(POLL_OUT.size);
  out.writeUInt32LE(revents, POLL_OUT.revents);
  return out;
}

/**
 * IOCTL (restricted only: the kernel copies exactly the size the command number encodes).
 * BLKGETSIZE64 answers the media size; everything else is ENOTTY (BLKSSZGET and FIONREAD
 * encode no size, so a FUSE file cannot return their value; FIONREAD on a regular file is
 * answered by the kernel itself).
 */
export function ioctl(s: ExportState, c: Call): Buffer {
  const f = fileOf(s, c);
  const flags = c.body.readUInt32LE(IOCTL_IN.flags);
  const cmd = c.body.readUInt32LE(IOCTL_IN.cmd);
  if (flags & IOCTL_UNRESTRICTED) fail('ENOTTY');
  if (cmd === BLKGETSIZE64 && f.info.size !== undefined && c.body.readUInt32LE(IOCTL_IN.outSize) >= 8) {
    const out = Buffer.alloc(IOCTL_OUT.size + 8);
    out.writeBigUInt64LE(BigInt(f.info.size), IOCTL_OUT.size);
    return out;
  }
  fail('ENOTTY');
}
