import { devfsError, POLLIN, POLLOUT } from '@devfs/core';
import { TAPREADFRAMES, TAPWRITEFRAMES } from './constants';

/** What the batch helpers need of a handle (a @devfs/core DevFile). */
export interface FrameHandle {
  ioctl(cmd: number, arg?: unknown): Promise<unknown>;
  poll(events: number, timeoutMs?: number): Promise<number>;
}

/** Options of {@link readFrames}/{@link writeFrames}. */
export interface BatchOptions {
  /** Wait (poll) while nothing can move; false: EAGAIN instead (default true). */
  wait?: boolean;
}

/**
 * Reads up to `bufs.length` (1..1024) frames with one native call, frame i into bufs[i]
 * (truncated to it); resolves with their lengths. Waits for a frame unless `wait: false`
 * (then EAGAIN); EHOSTDOWN while the interface is down, ENXIO once it is gone.
 */
export async function readFrames(handle: FrameHandle, bufs: Buffer[], opts: BatchOptions = {}): Promise<number[]> {
  for (;;) {
    const lens = (await handle.ioctl(TAPREADFRAMES, bufs)) as number[]; // [] when none waits
    if (lens.length > 0) return lens;
    if (opts.wait === false) throw devfsError('EAGAIN', 'read', undefined, 'no frame waits');
    await handle.poll(POLLIN);
  }
}

/**
 * Writes `bufs` (1..1024 frames, each checked like write() before any is sent) with one native
 * call; resolves with how many the interface took (≥ 1; the rest did not fit in the write queue:
 * send them again). Waits for room unless `wait: false` (then EAGAIN).
 */
export async function writeFrames(handle: FrameHandle, bufs: Buffer[], opts: BatchOptions = {}): Promise<number> {
  for (;;) {
    const n = (await handle.ioctl(TAPWRITEFRAMES, bufs)) as number; // 0 when the write queue is full
    if (n > 0) return n;
    if (opts.wait === false) throw devfsError('EAGAIN', 'write', undefined, 'the write queue is full');
    await handle.poll(POLLOUT);
  }
}
