/** Longest delay setTimeout honours (2^31 - 1 ms); Node fires at once (after 1 ms) beyond it. */
const MAX_DELAY = 0x7fffffff;

/**
 * Calls `fn` once after `ms` milliseconds, however long (a wait beyond setTimeout's limit is a
 * chain of timers). Returns the cancel function. The timers do not keep the process alive
 * longer than a plain setTimeout would.
 */
export function startTimer(ms: number, fn: () => void): () => void {
  const due = Date.now() + ms;
  let t: NodeJS.Timeout;
  const arm = (delay: number): void => {
    t = setTimeout(() => {
      const left = due - Date.now();
      if (delay === MAX_DELAY && left > 0) arm(Math.min(left, MAX_DELAY));
      else fn();
    }, delay);
  };
  arm(Math.min(ms, MAX_DELAY));
  return () => clearTimeout(t);
}
