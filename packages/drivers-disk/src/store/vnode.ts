import { promises as fsp, constants as fsc } from 'fs';
import { devfsError, toDevfsError } from '@devfs/core';
import type { BackingStore } from './types';

/** Options for opening an image file as a disk. */
export interface VnodeOptions {
  /** Disk size in bytes: grows the file (sparse) when larger, limits the disk when smaller. */
  size?: number;
  /** Round the size from the file down to a multiple of this (the sector size). */
  sectorSize?: number;
}

/**
 * A store on an image file, doing positioned reads and writes through one `FileHandle`
 * (never buffering the file). `flush()` is fsync.
 */
export class VnodeStore implements BackingStore {
  readonly kind = 'vnode' as const;
  private constructor(readonly file: string, private fh: FileHandleLike | null, readonly size: number) {}

  /**
   * Opens `file` read-write. Without `size` the disk is the file's size (rounded down to whole
   * sectors); with `size` a missing file is created and a shorter one extended sparsely.
   */
  static async open(file: string, opts: VnodeOptions = {}): Promise<VnodeStore> {
    const sector = opts.sectorSize ?? 1;
    if (opts.size !== undefined && (!Number.isSafeInteger(opts.size) || opts.size < 0)) {
      throw devfsError('EINVAL', 'md.create', file, `bad size ${opts.size}`);
    }
    const flags = fsc.O_RDWR | (opts.size !== undefined ? fsc.O_CREAT : 0);
    let fh: fsp.FileHandle;
    try {
      fh = await fsp.open(file, flags, 0o644);
    } catch (err) {
      throw toDevfsError(err, 'open', file);
    }
    try {
      const st = await fh.stat();
      if (!st.isFile() && !st.isBlockDevice()) throw devfsError('EINVAL', 'md.create', file, 'not a regular file');
      let size = st.size;
      if (opts.size !== undefined) {
        if (opts.size > st.size) await fh.truncate(opts.size);
        size = opts.size;
      }
      size -= size % sector;
      return new VnodeStore(file, fh, size);
    } catch (err) {
      await fh.close();
      throw toDevfsError(err, 'md.create', file);
    }
  }

  /** Positioned read; bytes beyond the file's current end (truncated behind our back) read as zeros. */
  async read(buf: Buffer, offset: number): Promise<number> {
    const fh = this.handle('read');
    let done = 0;
    try {
      while (done < buf.length) {
        const { bytesRead } = await fh.read(buf, done, buf.length - done, offset + done);
        if (bytesRead === 0) {
          buf.fill(0, done);
          break;
        }
        done += bytesRead;
      }
    } catch (err) {
      throw toDevfsError(err, 'read', this.file);
    }
    return buf.length;
  }

  /** Positioned write of the whole buffer. */
  async write(buf: Buffer, offset: number): Promise<number> {
    const fh = this.handle('write');
    let done = 0;
    try {
      while (done < buf.length) {
        const { bytesWritten } = await fh.write(buf, done, buf.length - done, offset + done);
        done += bytesWritten;
      }
    } catch (err) {
      throw toDevfsError(err, 'write', this.file);
    }
    return done;
  }

  /** fsync(2) of the image file. */
  async flush(): Promise<void> {
    try {
      await this.handle('fsync').sync();
    } catch (err) {
      throw toDevfsError(err, 'fsync', this.file);
    }
  }

  /** Closes the image file. */
  async close(): Promise<void> {
    const fh = this.fh;
    this.fh = null;
    if (fh) await fh.close();
  }

  private handle(syscall: string): FileHandleLike {
    if (!this.fh) throw devfsError('ENXIO', syscall, this.file, 'vnode disk destroyed');
    return this.fh;
  }
}

type FileHandleLike = fsp.FileHandle;
