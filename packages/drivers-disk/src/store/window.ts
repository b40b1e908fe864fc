import { devfsError } from '@devfs/core';
import type { BackingStore } from './types';

/**
 * A bounds-checked window of `size` bytes at byte `offset` of a parent store (a partition).
 * Closing a window does not close the parent.
 */
export class WindowStore implements BackingStore {
  readonly kind = 'window' as const;
  private closed = false;

  /** The window [offset, offset + size) of `parent`. */
  constructor(readonly parent: BackingStore, readonly offset: number, readonly size: number) {
    if (offset < 0 || size < 0 || offset + size > parent.size) {
      throw devfsError('EINVAL', 'window', undefined, `window ${offset}+${size} outside parent of ${parent.size}`);
    }
  }

  /** Reads through to the parent at the shifted offset. */
  async read(buf: Buffer, offset: number): Promise<number> {
    this.check(buf.length, offset, 'read');
    return this.parent.read(buf, this.offset + offset);
  }

  /** Writes through to the parent at the shifted offset. */
  async write(buf: Buffer, offset: number): Promise<number> {
    this.check(buf.length, offset, 'write');
    return this.parent.write(buf, this.offset + offset);
  }

  /** Flushes the parent. */
  async flush(): Promise<void> {
    this.check(0, 0, 'fsync');
    return this.parent.flush();
  }

  /** Detaches the window; the parent stays open. */
  async close(): Promise<void> {
    this.closed = true;
  }

  private check(length: number, offset: number, syscall: string): void {
    if (this.closed) throw devfsError('ENXIO', syscall, undefined, 'partition destroyed');
    if (offset < 0 || offset + length > this.size) throw devfsError('EIO', syscall, undefined, `range ${offset}+${length} outside window of ${this.size}`);
  }
}
