/**
 * Waiting in tests for a condition instead of sleeping a fixed time: a fixed sleep is either too
 * short on a loaded machine (a flaky failure) or longer than needed everywhere.
 */

/** Resolves once `pred()` holds (checked every 10 ms); rejects naming `what` after `ms`. */
export async function until(pred: () => boolean, what = 'the condition', ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
