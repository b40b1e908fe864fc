import { native } from '@devfs/native';
import type { FdWatch } from '@devfs/native';
import { POLLERR, POLLIN, POLLNVAL, POLLOUT, POLLRDNORM, POLLWRNORM, SelInfo, selrecord, selwakeup } from '@devfs/core';
import type { DevFile } from '@devfs/core';

/** What a poll of a handle whose host fd is gone reports (as the kernel does for a destroyed device). */
export const GONE_REVENTS = POLLNVAL | POLLERR;

/**
 * Poll readiness of one real fd for devfs handles: `poll` answers from poll(2) now; when nothing
 * is ready it records the caller (selrecord) and arms a one-shot uv_poll watch on the env's loop
 * whose firing wakes every recorded poller (selwakeup). No timers, no busy loop.
 */
export class FdReadiness {
  private watch: FdWatch | undefined;
  private readonly sel = new SelInfo();
  private armed = 0;
  private closed = false;

  constructor(private readonly fd: number) {}

  /** Ready bits among `events` (POLLHUP/POLLERR always included), recording `file` when none;
   * POLLNVAL|POLLERR after `close()` (the fd is never polled again). */
  poll(file: DevFile, events: number): number {
    if (this.closed) return GONE_REVENTS;
    const want = ((events & (POLLIN | POLLRDNORM)) ? POLLIN : 0) | ((events & (POLLOUT | POLLWRNORM)) ? POLLOUT : 0);
    let r = native.fdPoll(this.fd, want);
    if (r & POLLIN) r |= events & POLLRDNORM;
    if (r & POLLOUT) r |= events & POLLWRNORM;
    if (r !== 0) return r;
    selrecord(file, this.sel);
    this.armed |= want || POLLIN;
    this.watch ??= new native.FdWatch(this.fd, () => {
      this.armed = 0;
      selwakeup(this.sel);
    });
    this.watch.arm(this.armed);
    return 0;
  }

  /** Releases the watch (before the fd is closed) and wakes every waiter: their next poll sees
   * POLLNVAL|POLLERR. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.watch?.close();
    this.watch = undefined;
    selwakeup(this.sel);
  }
}
