/**
 * A per-uid budget for log lines a client causes (refusals, protocol errors): each uid may add
 * `burst` lines, refilled at `perSecond`; past that its lines are counted, and the next line it is
 * allowed carries how many were dropped. A client flooding the daemon with bad connections cannot
 * flood the log (or the disk under `--log FILE`). Root's lines are never dropped.
 */

interface Bucket { tokens: number; at: number; dropped: number }

/** Returns `(uid, line) => void` that logs through `log` within the per-uid budget. */
export function throttledLog(log: (line: string) => void, burst = 20, perSecond = 2): (uid: number, line: string) => void {
  const buckets = new Map<number, Bucket>();
  return (uid, line) => {
    if (uid === 0) { log(line); return; }
    const now = Date.now();
    const b = buckets.get(uid) ?? { tokens: burst, at: now, dropped: 0 };
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * perSecond);
    b.at = now;
    if (b.tokens < 1) {
      b.dropped++;
      buckets.set(uid, b);
      return;
    }
    b.tokens -= 1;
    log(b.dropped ? `${line} (${b.dropped} earlier such lines not logged)` : line);
    b.dropped = 0;
    buckets.set(uid, b);
  };
}
