import type { DevFile } from './devfile';
import { badArg } from '../validate';

/**
 * A driver's list of pollers waiting on some condition (FreeBSD's `struct selinfo`). In `d_poll`,
 * when not ready, the driver calls `selrecord(file, sel)`; when the condition may have changed it
 * calls `selwakeup(sel)`, which wakes every recorded poller to re-check. No timers, no busy loops.
 */
export class SelInfo {
  /** @internal */ waiters: Set<() => void> | undefined = undefined;
  /** True when at least one poller is recorded. */
  get active(): boolean {
    return this.waiters !== undefined && this.waiters.size > 0;
  }
}

/** Records the poll currently running on `file` as a waiter on `sel` (call from d_poll/fo_poll). */
export function selrecord(file: DevFile, sel: SelInfo): void {
  if (!(sel instanceof SelInfo)) throw badArg('selinfo', 'a SelInfo', sel, 'selrecord');
  const wake = file.currentPollWake;
  if (!wake) return;
  (sel.waiters ??= new Set()).add(wake);
}

/** Wakes every poller recorded on `sel` (they re-run d_poll). */
export function selwakeup(sel: SelInfo): void {
  if (!(sel instanceof SelInfo)) throw badArg('selinfo', 'a SelInfo', sel, 'selwakeup');
  const w = sel.waiters;
  if (!w || w.size === 0) return;
  sel.waiters = undefined;
  for (const wake of w) wake();
}
