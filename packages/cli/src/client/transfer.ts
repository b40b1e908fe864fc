/**
 * `cat` and `write` over the control socket: any offset and length on a disk (the client reads
 * the covering sectors and cuts, and read-modify-writes a partial first or last sector), plain
 * sequential transfers on other devices, a source of any size consumed with backpressure (the
 * next chunk is read only once the previous write was answered).
 */
import { devfsError } from '@devfs/core/base';
import type { DevfsClient } from './client';
import { M } from '../protocol/methods';
import { MAX_IO_BYTES } from '../protocol/limits';
import { Progress } from './progress';

/** What fs.open answers: the handle, and a disk's geometry. */
export interface OpenResult { fd: number; sectorSize?: number; mediaSize?: number }

/** Where read bytes go; resolves when the sink can take more (backpressure). */
export type Sink = (b: Buffer) => Promise<void>;

async function readAt(c: DevfsClient, fd: number, size: number, offset?: number): Promise<Buffer> {
  const r = await c.request<{ data: string; n: number }>(M.read, offset === undefined ? { fd, size } : { fd, size, offset });
  return Buffer.from(r.data, 'base64');
}

async function writeAt(c: DevfsClient, fd: number, data: Buffer, offset?: number): Promise<void> {
  const b64 = data.toString('base64');
  await c.request(M.write, offset === undefined ? { fd, data: b64 } : { fd, data: b64, offset });
}

/** A chunk size: the largest multiple of `ss` within one request. */
function chunkOf(ss: number): number {
  return Math.max(ss, Math.floor(MAX_IO_BYTES / ss) * ss);
}

/** Refuses --offset on a device that has no positions. */
function needDisk(f: OpenResult, offset: number, path: string, syscall: string): void {
  if (offset > 0 && !f.sectorSize) throw devfsError('ESPIPE', syscall, path, `--offset needs a disk: '${path}' is a stream device without positions`);
}

/**
 * Reads `bytes` (all when undefined) from `offset` into `sink`. On a disk any offset and length
 * work (covering sectors are read and cut; the end of the medium ends the read).
 */
export async function readRange(c: DevfsClient, f: OpenResult, path: string, offset: number, bytes: number | undefined, sink: Sink, progress: Progress): Promise<void> {
  needDisk(f, offset, path, 'read');
  const ss = f.sectorSize;
  if (!ss) {
    for (let left = bytes ?? Infinity; left > 0;) {
      const b = await readAt(c, f.fd, Math.min(left, MAX_IO_BYTES));
      if (b.length === 0) return;
      left -= b.length;
      progress.add(b.length);
      await sink(b);
    }
    return;
  }
  const end = Math.min(bytes === undefined ? Infinity : offset + bytes, f.mediaSize ?? Infinity);
  for (let pos = Math.floor(offset / ss) * ss; pos < end;) {
    const want = Math.min(chunkOf(ss), Math.ceil((end - pos) / ss) * ss);
    const b = await readAt(c, f.fd, want, pos);
    if (b.length === 0) return;
    const cut = b.subarray(Math.max(offset - pos, 0), Math.min(end - pos, b.length));
    pos += b.length;
    if (cut.length) {
      progress.add(cut.length);
      await sink(cut);
    }
  }
}

/**
 * Writes everything `source` yields, from `offset` on a disk (a partial first or last sector is
 * read, patched and written back, so the bytes around the range stay), or chunk by chunk on a
 * stream device (each chunk of up to 512 KiB one write: one frame on a tap). Resolves with the
 * number of source bytes written.
 */
export async function writeStream(c: DevfsClient, f: OpenResult, path: string, offset: number, source: AsyncIterable<Buffer> | Iterable<Buffer>, progress: Progress): Promise<number> {
  needDisk(f, offset, path, 'write');
  const ss = f.sectorSize;
  if (!ss) {
    for await (const chunk of source) {
      for (let o = 0; o < chunk.length; o += MAX_IO_BYTES) {
        const part = chunk.subarray(o, o + MAX_IO_BYTES);
        await writeAt(c, f.fd, part);
        progress.add(part.length);
      }
    }
    return progress.total;
  }
  const chunk = chunkOf(ss);
  let base = Math.floor(offset / ss) * ss;
  const head = offset - base;
  let pending: Buffer[] = [];
  let pendingLen = 0;
  if (head > 0) {
    const first = await readAt(c, f.fd, ss, base);
    pending.push(Buffer.concat([first, Buffer.alloc(ss)]).subarray(0, head));
    pendingLen = head;
  }
  let written = 0;
  const flush = async (all: boolean) => {
    let buf: Buffer = Buffer.concat(pending, pendingLen);
    while (buf.length >= chunk || (all && buf.length > 0)) {
      let part = buf.subarray(0, Math.min(chunk, buf.length));
      const whole = Math.floor(part.length / ss) * ss;
      if (whole < part.length) part = await patchTail(c, f.fd, part, base, whole, ss);
      await writeAt(c, f.fd, part, base);
      const data = Math.min(part.length, buf.length) - (base === Math.floor(offset / ss) * ss ? head : 0);
      written += data;
      progress.add(data);
      base += part.length;
      buf = buf.subarray(Math.min(part.length, buf.length));
    }
    pending = buf.length ? [buf] : [];
    pendingLen = buf.length;
  };
  for await (const b of source) {
    pending.push(b);
    pendingLen += b.length;
    if (pendingLen >= chunk) await flush(false);
  }
  await flush(true);
  return written;
}

/** `part` padded to whole sectors with what the disk holds after its end (read-modify-write). */
async function patchTail(c: DevfsClient, fd: number, part: Buffer, base: number, whole: number, ss: number): Promise<Buffer> {
  const last = await readAt(c, fd, ss, base + whole);
  const padded = Buffer.alloc(whole + ss);
  last.copy(padded, whole);
  part.copy(padded, 0);
  return padded;
}
