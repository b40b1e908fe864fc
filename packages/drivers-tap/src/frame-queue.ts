/**
 * Frames read from the host interface, waiting for the handle's read(). FIFO with a soft bound:
 * every frame the host handed over is kept (nothing read is ever dropped here), and once `full`
 * the driver stops reading the host fd, so the host kernel queues — or drops, as a real NIC
 * would — instead of this process growing without bound. Amortised O(1) push and shift.
 */
export class FrameQueue {
  private items: Buffer[] = [];
  private head = 0;
  private byteCount = 0;

  /** Stop reading the host fd at `capacity` frames. */
  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('FrameQueue capacity must be a positive integer');
  }

  /** Frames queued. */
  get length(): number { return this.items.length - this.head; }
  /** Bytes queued. */
  get bytes(): number { return this.byteCount; }
  /** True at or above the capacity: time to stop reading the host fd. */
  get full(): boolean { return this.length >= this.capacity; }

  /** Appends a frame. */
  push(frame: Buffer): void {
    this.items.push(frame);
    this.byteCount += frame.length;
  }

  /** Removes and returns the oldest frame. */
  shift(): Buffer | undefined {
    if (this.head === this.items.length) return undefined;
    const f = this.items[this.head++];
    this.byteCount -= f.length;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return f;
  }

  /** Length of the next frame, 0 when empty (FIONREAD). */
  nextLength(): number {
    return this.head === this.items.length ? 0 : this.items[this.head].length;
  }

  /** Drops every frame (close, destroy); returns how many were dropped. */
  clear(): number {
    const n = this.length;
    this.items = [];
    this.head = 0;
    this.byteCount = 0;
    return n;
  }
}
