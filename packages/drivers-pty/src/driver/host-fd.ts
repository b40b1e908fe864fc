import { native } from '@devfs/native';
import { devfsError } from '@devfs/core';
import type { DevFile } from '@devfs/core';
import { FdReadiness, GONE_REVENTS } from './readiness';

/**
 * A host fd owned by the pty driver (a master, or one pts/N handle's slave) and its poll
 * readiness. Closed exactly once; after that no call reaches the fd number — which the host may
 * already have given to another file — but gets ENXIO (I/O, ioctl) or POLLNVAL|POLLERR (poll),
 * and every poll or read that was waiting on it wakes to see that.
 */
export class HostFd {
  private ready: FdReadiness | undefined;
  private open = true;

  constructor(private readonly num: number) {}

  /** True until `close()`. */
  get isOpen(): boolean {
    return this.open;
  }

  /** The fd number for one call, or ENXIO (never the stale number) once it is closed. */
  fd(syscall: string, path: string): number {
    if (!this.open) throw devfsError('ENXIO', syscall, path, 'this pty is gone (its driver detached or its host fd was closed)');
    return this.num;
  }

  /** Ready bits for a devfs poll (recording `file` when none); POLLNVAL|POLLERR once closed. */
  poll(file: DevFile, events: number): number {
    if (!this.open) return GONE_REVENTS;
    return (this.ready ??= new FdReadiness(this.num)).poll(file, events);
  }

  /** Releases the readiness watch (waking its waiters), then closes the fd; false if already closed. */
  close(): boolean {
    if (!this.open) return false;
    this.open = false;
    this.ready?.close();
    this.ready = undefined;
    native.fdClose(this.num);
    return true;
  }
}
