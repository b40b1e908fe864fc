/**
 * Waiting in tests for a condition instead of sleeping a fixed time: a fixed sleep is either too
 * short on a loaded machine (a flaky failure) or longer than needed everywhere.
 */

/**
 * Resolves once `pred()` holds, checked every `everyMs` (10 ms); rejects naming `what` after `ms`.
 * `pred` may be async (e.g. asks a daemon through a client process): each check is awaited before
 * the next. `what` may be a function, called at the timeout, to say what was seen instead.
 */
export async function until(pred: () => boolean | Promise<boolean>, what: string | (() => string) = 'the condition', ms = 5000, everyMs = 10): Promise<void> {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${typeof what === 'function' ? what() : what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
