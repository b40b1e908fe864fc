/**
 * A backing store is the raw byte space under a disk: memory chunks, an image file, or a window
 * onto another store. It does no sector checks (the `Disk` on top does); callers stay in bounds.
 */
export interface BackingStore {
  /** What holds the bytes. */
  readonly kind: 'malloc' | 'vnode' | 'window';
  /** Size in bytes. */
  readonly size: number;
  /** Fills `buf` from byte `offset` (offset + buf.length <= size). Returns buf.length. */
  read(buf: Buffer, offset: number): Promise<number>;
  /** Writes all of `buf` at byte `offset` (offset + buf.length <= size). Returns buf.length. */
  write(buf: Buffer, offset: number): Promise<number>;
  /** Makes written data durable (fsync for files; nothing for memory). */
  flush(): Promise<void>;
  /** Releases the store (closes the file, frees the memory). Idempotent. */
  close(): Promise<void>;
  /** Changes the size (md resize); a vnode store grows its file. Optional: a window has none. */
  resize?(size: number): Promise<void>;
}
