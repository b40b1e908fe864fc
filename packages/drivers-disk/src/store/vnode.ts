import { promises as fsp, constants as fsc } from 'fs';
import { devfsError, toDevfsError } from '@devfs/core';
import type { BackingStore } from './types';

/** Options for opening an image file as a disk. */
export interface VnodeOptions {
  /** Disk size in bytes: grows the file (sparse) when larger, limits the disk when smaller. */
  size?: number;
  /** Round the size from the file down to a multiple of this (the sector size). */
  sectorSize?: number;
  /** Open the file read-only (writes to the disk then fail with EROFS). */
  readOnly?: boolean;
  /**
   * Let `size` grow an existing file. Without it a `size` larger than an existing file is EFBIG
   * and the file is untouched: a user's image never changes size silently.
   */
  grow?: boolean;
}

/**
 * A store on an image file, doing positioned reads and writes through one `FileHandle`
 * (never buffering the file). `flush()` is fsync.
 */
export class VnodeStore implements BackingStore {
  readonly kind = 'vnode' as const;
  private constructor(readonly file: string, private fh: FileHandleLike | null, public size: number,
    /** `dev:ino` of the image (the same file under two names is one identity). */
    readonly identity: string, readonly readOnly: boolean) {}

  /**
   * Opens `file` read-write. Without `size` the disk is the file's size (rounded down to whole
   * sectors); with `size` a missing file is created and a shorter one extended sparsely.
   */
  static async open(file: string, opts: VnodeOptions = {}): Promise<VnodeStore> {
    const sector = opts.sectorSize ?? 1;
    if (opts.size !== undefined && (!Number.isSafeInteger(opts.size) || opts.size < 0)) {
      throw devfsError('EINVAL', 'md.create', file, `bad size ${opts.size}`);
    }
    const readOnly = opts.readOnly === true;
    const fh = await openImage(file, readOnly, opts.size !== undefined && !readOnly);
    try {
      const st = await fh.handle.stat();
      if (!st.isFile() && !st.isBlockDevice()) throw devfsError('EINVAL', 'md.create', file, 'not a regular file');
      let size = st.size;
      if (opts.size !== undefined) {
        if (opts.size > st.size && !fh.created) {
          if (readOnly) throw devfsError('EROFS', 'md.create', file, `the image is ${st.size} bytes and read-only: it cannot grow to ${opts.size}`);
          if (!opts.grow) {
            throw devfsError('EFBIG', 'md.create', file,
              `the image is ${st.size} bytes; a size of ${opts.size} would grow it: ask for it (devfs md create --grow), or leave the size out`);
          }
        }
        if (opts.size > st.size) await fh.handle.truncate(opts.size);
        size = opts.size;
      }
      size -= size % sector;
      return new VnodeStore(file, fh.handle, size, `${st.dev}:${st.ino}`, readOnly);
    } catch (err) {
      await fh.handle.close();
      if (fh.created) await fsp.unlink(file).catch(() => undefined);
      throw toDevfsError(err, 'md.create', file);
    }
  }

  /** New disk size: a larger one grows the file (sparsely), a smaller one limits the disk (the file keeps its bytes). */
  async resize(size: number): Promise<void> {
    const fh = this.handle('md.resize');
    if (this.readOnly) throw devfsError('EROFS', 'md.resize', this.file, 'the image is attached read-only');
    try {
      if (size > (await fh.stat()).size) await fh.truncate(size);
    } catch (err) {
      throw toDevfsError(err, 'md.resize', this.file);
    }
    this.size = size;
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

/** Opens an image: read-write (or read-only); `create` makes a missing file (and says so, for cleanup). */
async function openImage(file: string, readOnly: boolean, create: boolean): Promise<{ handle: FileHandleLike; created: boolean }> {
  try {
    return { handle: await fsp.open(file, readOnly ? fsc.O_RDONLY : fsc.O_RDWR), created: false };
  } catch (err) {
    if (!create || (err as NodeJS.ErrnoException).code !== 'ENOENT') throw toDevfsError(err, 'open', file);
  }
  try {
    return { handle: await fsp.open(file, fsc.O_RDWR | fsc.O_CREAT | fsc.O_EXCL, 0o644), created: true };
  } catch (err) {
    throw toDevfsError(err, 'open', file);
  }
}
