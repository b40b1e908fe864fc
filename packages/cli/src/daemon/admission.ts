/**
 * Who may open one more connection. Every accepted socket is admitted here before any byte is
 * read: a uid other than root holds at most `connectionsPerUser` connections (control and pty data
 * alike), and no non-root connection is taken while fewer than `fdReserve` file descriptors remain
 * below RLIMIT_NOFILE — that headroom is root's, so `devfs mounts` as root works whatever the others
 * hold. Root is never refused here.
 */
import * as fs from 'fs';
import type { DaemonLimits } from './config';

/** An admitted connection: call release() once when it closes. */
export interface Ticket { release(): void }

/** How often the fd count is re-read from /proc/self/fd at most (admits in between are added). */
const FD_RECOUNT_MS = 100;

/** The soft RLIMIT_NOFILE of this process (/proc/self/limits), or Infinity when unreadable/unlimited. */
export function fdLimit(): number {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(fs.readFileSync('/proc/self/limits', 'utf8'));
    return m && m[1] !== 'unlimited' ? Number(m[1]) : Infinity;
  } catch {
    return Infinity;
  }
}

/** File descriptors this process has open now (/proc/self/fd), or 0 when unreadable. */
export function openFds(): number {
  try {
    return fs.readdirSync('/proc/self/fd').length - 1; // minus the directory's own fd
  } catch {
    return 0;
  }
}

/** Per-uid connection counts and the fd headroom check. */
export class Admission {
  private readonly perUid = new Map<number, number>();
  private readonly limit = fdLimit();
  private counted = { fds: 0, at: -Infinity, since: 0 };

  constructor(private readonly limits: DaemonLimits) {}

  /** Admits a connection from `uid`, or returns why not (an errno-prefixed reason). */
  admit(uid: number): Ticket | string {
    if (uid !== 0) {
      const n = this.perUid.get(uid) ?? 0;
      if (n >= this.limits.connectionsPerUser) {
        return `EAGAIN: uid ${uid} already holds ${n} connections (limits.connectionsPerUser)`;
      }
      if (this.fdsInUse() + this.limits.fdReserve >= this.limit) {
        return `EMFILE: the daemon keeps its last ${this.limits.fdReserve} file descriptors for root (limits.fdReserve)`;
      }
    }
    this.perUid.set(uid, (this.perUid.get(uid) ?? 0) + 1);
    this.counted.since++;
    let done = false;
    return {
      release: () => {
        if (done) return;
        done = true;
        const left = (this.perUid.get(uid) ?? 1) - 1;
        if (left > 0) this.perUid.set(uid, left);
        else this.perUid.delete(uid);
      },
    };
  }

  /** Connections `uid` holds now. */
  held(uid: number): number {
    return this.perUid.get(uid) ?? 0;
  }

  private fdsInUse(): number {
    if (this.limit === Infinity) return 0;
    const now = Date.now();
    if (now - this.counted.at >= FD_RECOUNT_MS) this.counted = { fds: openFds(), at: now, since: 0 };
    return this.counted.fds + this.counted.since;
  }
}
