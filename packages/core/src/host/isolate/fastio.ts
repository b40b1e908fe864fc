/**
 * The data path between the daemon and an isolated worker: reads and writes on a handle whose
 * shared memory the worker already holds travel as fixed-size records through two rings in one
 * SharedArrayBuffer (requests daemon → worker, answers worker → daemon) instead of postMessage —
 * no structured clone, no MessagePort dispatch, no object per call on the worker side, and a
 * wake-up only when the other side sleeps. Everything else (opens, ioctls, errors, events) stays
 * on postMessage.
 *
 * A side that expects the other's record within microseconds polls for it before sleeping
 * (SpinPolicy): the daemon right after sending a request, the worker right after answering one.
 * Waking a sleeping thread costs tens of microseconds on a virtual machine whose idle CPUs halt
 * — more than a 64 KiB call itself — so a round trip with no sleep on either side is the
 * difference between a fraction and most of the in-process speed. When most polls stop paying
 * off, the next ones are skipped, exponentially longer up to 16 (a driver that answers slowly,
 * or a machine with no spare CPU, soon costs little spinning).
 *
 * Order across the two paths is kept by a barrier: every record carries how many messages its
 * sender had posted before it, and a receiver handles a record only once it has handled that
 * many messages (and drains the ring before handling each message). So a write and the close
 * after it, or a device made inside d_write and that write's answer, arrive in the order sent.
 */
import { Ring, ringBytes } from './ring';

export const OP_READ = 1;
export const OP_WRITE = 2;

/** Records each ring holds (a full ring sends the call by postMessage instead). */
const CAPACITY = 64;
/** int32 words per record: request [id, op, h, len, posLo, posHi (-1: null), barrier, 0]; answer [id, value, barrier, 0...]. */
const WORDS = 8;
const B32 = 2 ** 32;

/** How long a side polls for the other's record before it sleeps (µs). */
export const SPIN_US = 50;

/**
 * When to poll before sleeping: always while most recent polls paid off (an average over about
 * the last 16: a garbage collection that makes one miss changes nothing); when most missed,
 * poll only after skipping 1, 2, 4, 8, 16 waits, each miss doubling the skip (at most 16: a
 * machine with no spare CPU then polls in 1 wait of 17), a hit resetting it.
 */
export class SpinPolicy {
  private rate = 1;
  private skip = 0;
  private backoff = 1;

  /** True when this wait should poll first. */
  wanted(): boolean {
    if (this.skip === 0) return true;
    this.skip--;
    return false;
  }

  /** Whether the poll found what it waited for. */
  result(ok: boolean): void {
    this.rate += ((ok ? 1 : 0) - this.rate) / 16;
    if (ok) this.backoff = 1;
    if (ok || this.rate >= 0.5) return;
    this.skip = this.backoff;
    this.backoff = Math.min(this.backoff * 2, 16);
  }
}

/**
 * Consumer side of `ring`: polls for up to SPIN_US until `done()` (checked after each `take()`
 * of what arrived), then goes back to sleeping (taking what arrived meanwhile). True when done.
 */
export function spinFor(ring: Ring, take: () => void, done: () => boolean): boolean {
  ring.awake();
  const end = performance.now() + SPIN_US / 1000;
  let ok = false;
  for (let k = 1; ; k++) {
    if (ring.nonEmpty) {
      take();
      if (done()) {
        ok = true;
        break;
      }
    }
    if ((k & 31) === 0 && performance.now() > end) break;
  }
  if (ring.drowse()) take();
  return ok;
}

/** Both rings of one worker link. */
export interface IoChannel {
  readonly sab: SharedArrayBuffer;
  /** Requests: the daemon produces, the worker consumes. */
  readonly req: Ring;
  /** Answers: the worker produces, the daemon consumes. */
  readonly rep: Ring;
}

/** The channel over `sab` (a new one when absent: the daemon side creates it, the worker attaches). */
export function ioChannel(sab = new SharedArrayBuffer(2 * ringBytes(CAPACITY, WORDS))): IoChannel {
  const half = ringBytes(CAPACITY, WORDS);
  return { sab, req: new Ring(sab, 0, CAPACITY, WORDS), rep: new Ring(sab, half, CAPACITY, WORDS) };
}

/** True when `barrier` (a sender's message count) is beyond `handled` (messages handled here): wait. */
export function ahead(barrier: number, handled: number): boolean {
  return ((barrier - handled) | 0) > 0;
}

/** Daemon side: queues a request; false when the ring is full (send it by postMessage). */
export function putRequest(ch: IoChannel, id: number, op: number, h: number, len: number, pos: number | null, barrier: number): boolean {
  const i = ch.req.reserve();
  if (i < 0) return false;
  const r = ch.req.records;
  r[i] = id;
  r[i + 1] = op;
  r[i + 2] = h;
  r[i + 3] = len;
  r[i + 4] = pos === null ? 0 : pos % B32 | 0;
  r[i + 5] = pos === null ? -1 : Math.floor(pos / B32);
  r[i + 6] = barrier;
  ch.req.publish();
  return true;
}

/** Worker side: one decoded request (see takeRequest). */
export interface IoRequest { id: number; op: number; h: number; len: number; pos: number | null }

/**
 * Worker side: takes the oldest request into `out` unless there is none or its barrier says
 * messages sent before it have not been handled yet (`handled`). True when `out` was filled.
 */
export function takeRequest(ch: IoChannel, handled: number, out: IoRequest): boolean {
  const i = ch.req.peek();
  if (i < 0) return false;
  const r = ch.req.records;
  if (ahead(r[i + 6], handled)) return false;
  out.id = r[i];
  out.op = r[i + 1];
  out.h = r[i + 2];
  out.len = r[i + 3];
  out.pos = r[i + 5] === -1 ? null : r[i + 5] * B32 + (r[i + 4] >>> 0);
  ch.req.consume();
  return true;
}

/** Worker side: queues the answer `value` (a byte count) to request `id`; false when the ring is full. */
export function putAnswer(ch: IoChannel, id: number, value: number, barrier: number): boolean {
  const i = ch.rep.reserve();
  if (i < 0) return false;
  const r = ch.rep.records;
  r[i] = id;
  r[i + 1] = value;
  r[i + 2] = barrier;
  ch.rep.publish();
  return true;
}

/**
 * Daemon side: hands every answer whose barrier allows it to `settle(id, value)`; stops at one
 * that must wait for a message.
 */
export function takeAnswers(ch: IoChannel, handled: number, settle: (id: number, value: number) => void): void {
  for (;;) {
    const i = ch.rep.peek();
    if (i < 0) return;
    const r = ch.rep.records;
    if (ahead(r[i + 2], handled)) return;
    const id = r[i], value = r[i + 1];
    ch.rep.consume();
    settle(id, value);
  }
}
