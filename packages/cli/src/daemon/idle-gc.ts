/**
 * Giving memory back after a burst of clients. V8 collects when JavaScript allocates; a daemon
 * that goes quiet after hundreds of connections allocates nothing, so the heap the burst grew and
 * the Buffers it left (already unreferenced) stay resident indefinitely. Every `windowMs` this
 * looks at how many connections arrived: after at least `burst` of them since the last collection,
 * the first quiet window (at most `quiet` connections) triggers a full collection, and the next
 * `followUps` quiet windows one more each (for what the burst's last sessions release while
 * winding down: hung-up programs, lingering sockets). Under steady load nothing is forced (V8
 * collects on its own then). The collection is V8's low-memory one (native.lowMemoryNotification):
 * a plain full gc() leaves the young generation at the 2 × 16 MiB a burst grew it to; and after
 * it malloc_trim gives back what glibc still holds of freed native memory (socket and pty
 * buffers). Without both, the 5-minute soak ended 20–35% above its starting RSS. The daemon also
 * caps glibc's malloc arenas at 2 (M_ARENA_MAX) and fixes its mmap and trim thresholds (`tuneMalloc`): each pty reader thread would
 * otherwise get an arena of its own, and arenas are never returned — their fragments grew with run
 * length.
 */
import { native } from '@devfs/native';
import { tuneMalloc } from '@devfs/core';

/** glibc's malloc set up for a long-running driver host (in core: isolated driver hosts need it too). */
export { tuneMalloc };

/** Counts connections and collects once the daemon is quiet after a burst. */
export class IdleCollector {
  private since = 0;
  private recent = 0;
  private followUps = 0;
  private readonly timer: NodeJS.Timeout;
  /** Collections done so far. */
  collections = 0;

  constructor(windowMs = 2000, private readonly burst = 50, private readonly quiet = 2, private readonly followUpWindows = 4) {
    tuneMalloc(); // for embedders of startDaemon; the daemon verb has already done it
    this.timer = setInterval(() => this.tick(), windowMs);
    this.timer.unref();
  }

  /** A connection arrived. */
  note(): void {
    this.since++;
    this.recent++;
  }

  /** Stops watching. */
  close(): void {
    clearInterval(this.timer);
  }

  private tick(): void {
    const quiet = this.recent <= this.quiet;
    this.recent = 0;
    if (!quiet) return;
    if (this.since >= this.burst) {
      this.followUps = this.followUpWindows;
    } else if (this.followUps > 0) {
      this.followUps--;
    } else {
      return;
    }
    native.lowMemoryNotification();
    native.mallocTrim();
    this.collections++;
    this.since = 0;
  }
}
