/**
 * Giving memory back after a burst of clients. V8 collects when JavaScript allocates; a daemon
 * that goes quiet after hundreds of connections allocates nothing, so the heap the burst grew and
 * the Buffers it left (already unreferenced) stay resident indefinitely. Every `windowMs` this
 * looks at how many connections arrived: after at least `burst` of them since the last collection,
 * the first quiet window (at most `quiet` connections) triggers a full collection, and the next
 * `followUps` quiet windows one more each (for what the burst's last sessions release while
 * winding down: hung-up programs, lingering sockets). Under steady load nothing is forced (V8
 * collects on its own then). A collection of the daemon's ~10 MB heap takes a few ms. After
 * each collection, malloc_trim gives back what glibc still holds of the freed native memory
 * (socket and pty buffers): without it the soak's RSS stayed ~20% above its start, all of it
 * free chunks in glibc's arenas.
 */
import * as v8 from 'v8';
import * as vm from 'vm';
import { native } from '@devfs/native';

/** A full-GC function: `global.gc` when exposed, else one obtained by exposing it for a new context. */
function fullGc(): (() => void) | undefined {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return g;
  try {
    v8.setFlagsFromString('--expose-gc');
    const fn = vm.runInNewContext('gc') as unknown;
    return typeof fn === 'function' ? (fn as () => void) : undefined;
  } catch {
    return undefined;
  }
}

/** Counts connections and collects once the daemon is quiet after a burst. */
export class IdleCollector {
  private since = 0;
  private recent = 0;
  private followUps = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly gc = fullGc();
  /** Collections done so far. */
  collections = 0;

  constructor(windowMs = 2000, private readonly burst = 50, private readonly quiet = 2, private readonly followUpWindows = 4) {
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
    if (!this.gc || !quiet) return;
    if (this.since >= this.burst) {
      this.followUps = this.followUpWindows;
    } else if (this.followUps > 0) {
      this.followUps--;
    } else {
      return;
    }
    this.gc();
    native.mallocTrim();
    this.collections++;
    this.since = 0;
  }
}
