import { devfsError, POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM, SelInfo, selrecord, selwakeup } from '@devfs/core';
import type { DevFile } from '@devfs/core';

/**
 * One echo unit's state (its si_drv1): a bounded byte queue. What is written is read back in
 * order. Empty → reads throw EAGAIN; full → writes throw EAGAIN (devfs then blocks the caller
 * until poll says ready, unless the handle is non-blocking). Readers and writers sleep on their
 * own SelInfo and are woken by selwakeup when the other side makes progress.
 */
export class Loopback {
  private chunks: Buffer[] = [];
  private bytes = 0;
  private readonly rsel = new SelInfo();
  private readonly wsel = new SelInfo();

  constructor(readonly name: string, readonly limit: number) {}

  /** Bytes waiting to be read (FIONREAD). */
  get size(): number {
    return this.bytes;
  }

  /** Copies up to buf.length queued bytes into buf. */
  read(buf: Buffer): number {
    if (buf.length === 0) return 0;
    if (this.bytes === 0) throw devfsError('EAGAIN', 'read', this.name);
    let n = 0;
    while (n < buf.length && this.chunks.length > 0) {
      const c = this.chunks[0];
      const k = c.copy(buf, n, 0, Math.min(c.length, buf.length - n));
      n += k;
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    this.bytes -= n;
    selwakeup(this.wsel);
    return n;
  }

  /** Queues as much of buf as fits (a copy: the caller may reuse its buffer). */
  write(buf: Buffer): number {
    if (buf.length === 0) return 0;
    const room = this.limit - this.bytes;
    if (room === 0) throw devfsError('EAGAIN', 'write', this.name);
    const n = Math.min(room, buf.length);
    this.chunks.push(Buffer.from(buf.subarray(0, n)));
    this.bytes += n;
    selwakeup(this.rsel);
    return n;
  }

  /** Ready bits among `events`; when none is ready the poll is recorded for a later selwakeup. */
  poll(events: number, file: DevFile): number {
    let r = 0;
    if (this.bytes > 0) r |= events & (POLLIN | POLLRDNORM);
    if (this.bytes < this.limit) r |= events & (POLLOUT | POLLWRNORM);
    if (r === 0) {
      if (events & (POLLIN | POLLRDNORM)) selrecord(file, this.rsel);
      if (events & (POLLOUT | POLLWRNORM)) selrecord(file, this.wsel);
    }
    return r;
  }

  /** Wakes every sleeper (the unit is going away: they re-check and see ENXIO). */
  wakeAll(): void {
    selwakeup(this.rsel);
    selwakeup(this.wsel);
  }
}
