import { devfsError } from '@devfs/core';
import type { BackingStore } from './types';

/** Default allocation unit of a malloc store. */
export const MALLOC_CHUNK = 64 * 1024;

/**
 * A sparse memory store: nothing is allocated until a chunk is first written, so a 64 GiB disk
 * with 1 MiB written holds about 1 MiB. Unwritten bytes read as zeros.
 */
export class MallocStore implements BackingStore {
  readonly kind = 'malloc' as const;
  private chunks = new Map<number, Buffer>();
  private closed = false;

  /** A store of `size` bytes allocated lazily in `chunkSize` pieces. */
  constructor(public size: number, private readonly chunkSize = MALLOC_CHUNK) {
    if (!Number.isSafeInteger(size) || size < 0) throw devfsError('EINVAL', 'md.create', undefined, `bad size ${size}`);
    if (!Number.isInteger(chunkSize) || chunkSize <= 0) throw devfsError('EINVAL', 'md.create', undefined, `bad chunk size ${chunkSize}`);
  }

  /** Bytes actually allocated (chunks touched by writes × chunk size). */
  get allocatedBytes(): number {
    return this.chunks.size * this.chunkSize;
  }

  /** Copies the requested range out of the chunks, zero-filling holes. */
  async read(buf: Buffer, offset: number): Promise<number> {
    this.check(buf.length, offset, 'read');
    return this.span(buf.length, offset, (index, inChunk, done, n) => {
      const chunk = this.chunks.get(index);
      if (chunk) chunk.copy(buf, done, inChunk, inChunk + n);
      else buf.fill(0, done, done + n);
    });
  }

  /** Walks [offset, offset + length) chunk by chunk: (chunk index, offset in it, bytes done, bytes here). */
  private span(length: number, offset: number, each: (index: number, inChunk: number, done: number, n: number) => void): number {
    let done = 0;
    while (done < length) {
      const pos = offset + done;
      const index = Math.floor(pos / this.chunkSize);
      const inChunk = pos - index * this.chunkSize;
      const n = Math.min(this.chunkSize - inChunk, length - done);
      each(index, inChunk, done, n);
      done += n;
    }
    return done;
  }

  /** Copies `buf` into the chunks, allocating each one on its first write. */
  async write(buf: Buffer, offset: number): Promise<number> {
    this.check(buf.length, offset, 'write');
    return this.span(buf.length, offset, (index, inChunk, done, n) => {
      let chunk = this.chunks.get(index);
      if (!chunk) {
        chunk = Buffer.alloc(Math.min(this.chunkSize, this.size - index * this.chunkSize));
        this.chunks.set(index, chunk);
      }
      buf.copy(chunk, inChunk, done, done + n);
    });
  }


  /** New size: growing adds zeros (nothing allocated); shrinking frees the chunks past the end. */
  async resize(size: number): Promise<void> {
    if (!Number.isSafeInteger(size) || size <= 0) throw devfsError('EINVAL', 'md.resize', undefined, `bad size ${size}`);
    this.check(0, 0, 'md.resize');
    for (const [index, chunk] of [...this.chunks]) {
      const start = index * this.chunkSize;
      if (start >= size) this.chunks.delete(index);
      else if (start + chunk.length > size) this.chunks.set(index, Buffer.from(chunk.subarray(0, size - start)));
    }
    // a grown last chunk must be able to hold the new bytes: re-allocate it at full length on its next write
    for (const [index, chunk] of [...this.chunks]) {
      const want = Math.min(this.chunkSize, size - index * this.chunkSize);
      if (chunk.length < want) {
        const b = Buffer.alloc(want);
        chunk.copy(b);
        this.chunks.set(index, b);
      }
    }
    this.size = size;
  }

  /** Memory needs no flushing. */
  async flush(): Promise<void> {
    this.check(0, 0, 'fsync');
  }

  /** Drops every chunk. */
  async close(): Promise<void> {
    this.closed = true;
    this.chunks.clear();
  }

  private check(length: number, offset: number, syscall: string): void {
    if (this.closed) throw devfsError('ENXIO', syscall, undefined, 'memory disk destroyed');
    if (offset < 0 || offset + length > this.size) throw devfsError('EIO', syscall, undefined, `range ${offset}+${length} outside store of ${this.size}`);
  }
}
