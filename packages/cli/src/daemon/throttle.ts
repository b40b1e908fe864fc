/**
 * A per-key budget for log lines a client causes (refusals and protocol errors keyed by uid; event
 * lines any client can cause at will, such as LOOKUP misses, keyed by a string): each key may add
 * `burst` lines, refilled at `perSecond`; past that its lines are counted, and the next line it is
 * allowed carries how many were dropped. A client flooding the daemon with bad connections or
 * misses cannot flood the log (or the disk under `--log FILE`). Root's (key 0) are never dropped.
 */

interface Bucket { tokens: number; at: number; dropped: number }

/** Returns `(key, line) => void` that logs through `log` within the per-key budget (key 0: root, unlimited). */
export function throttledLog(log: (line: string) => void, burst = 20, perSecond = 2): (key: number | string, line: string) => void {
  const buckets = new Map<number | string, Bucket>();
  return (key, line) => {
    if (key === 0) { log(line); return; }
    const now = Date.now();
    const b = buckets.get(key) ?? { tokens: burst, at: now, dropped: 0 };
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * perSecond);
    b.at = now;
    if (b.tokens < 1) {
      b.dropped++;
      buckets.set(key, b);
      return;
    }
    b.tokens -= 1;
    log(b.dropped ? `${line} (${b.dropped} earlier such lines not logged)` : line);
    b.dropped = 0;
    buckets.set(key, b);
  };
}
