import { Readable, Writable } from 'stream';
import type { DevFile } from './devfile';

/**
 * A Readable over a DevFile: one driver read per `_read` (so memory stays bounded by the stream's
 * highWaterMark), ends at a 0-byte read or after `end` bytes.
 */
export function fileReadable(file: DevFile, opts: { chunkSize?: number; end?: number } = {}): Readable {
  const chunkSize = opts.chunkSize ?? 64 * 1024;
  let remaining = opts.end ?? Infinity;
  return new Readable({
    highWaterMark: chunkSize,
    read() {
      if (remaining <= 0) {
        this.push(null);
        return;
      }
      const buf = Buffer.allocUnsafe(Math.min(chunkSize, remaining));
      file.read(buf).then(
        (n) => {
          if (n === 0) {
            this.push(null);
            return;
          }
          remaining -= n;
          this.push(n === buf.length ? buf : buf.subarray(0, n));
        },
        (err) => this.destroy(err),
      );
    },
  });
}

/** A Writable over a DevFile: each chunk is written completely (short writes are continued). */
export function fileWritable(file: DevFile): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      const loop = (off: number): void => {
        if (off >= chunk.length) {
          cb();
          return;
        }
        file.write(off === 0 ? chunk : chunk.subarray(off)).then(
          (n) => (n > 0 ? loop(off + n) : cb(new Error('device accepted 0 bytes'))),
          cb,
        );
      };
      loop(0);
    },
  });
}
