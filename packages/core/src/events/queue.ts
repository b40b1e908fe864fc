/**
 * The event stream's delivery queue: a ring of slots in preallocated arrays, so queueing an event
 * allocates nothing (no per-event record) and a queue that empties and refills (a make_dev loop
 * between two drains) never regrows its storage. A slot holds either a built event or a deferred
 * one: a builder and the three references it builds the event from when it is delivered to
 * someone (see Events.emitDeferred). The ring keeps the largest size it reached (49 bytes a
 * slot on 64-bit Node; a burst such as a million make_devs fills the default limit of 65,536:
 * 3.2 MiB); the stream trims one of more than 16,384 slots that stayed empty for a second.
 */
import type { ActionScope } from './actions';
import { DEV_EVENT_TYPES as TYPES, DevEvent, DevEventType } from './types';

/**
 * Builds a deferred event at delivery from the references it was queued with, plus its sequence
 * number and queueing time (NaN when it was queued without reading the clock: the builder knows
 * the time). A module-level function (no closure per event); its result has DevEvent's field
 * order with `seq` and `time` last and is frozen by the stream.
 */
export type EventBuilder<A = any, B = any, C = any> = (a: A, b: B, c: C, seq: number, time: number) => DevEvent;

/** References per slot: the event or its builder, then the builder's three arguments. */
const REFS = 4;
/** Numbers per slot: seq, time. */
const NUMS = 2;
/** Slots a new ring has; an empty ring of more than KEEP slots may go back to this (trim). */
const INITIAL = 64;
const KEEP = 16384;
/** A slot's type and scope are packed in one byte: type index * 4 + scope index. */
const SCOPES: readonly ActionScope[] = ['all', 'copy-only', 'skip-modload'];

/** A FIFO of queued events (built or deferred) with their sequence numbers, times and scopes. */
export class EventRing {
  private refs!: unknown[];
  private nums!: Float64Array;
  private codes!: Uint8Array;
  private mask!: number;
  private first = 0;
  /** Events queued. */
  size = 0;

  /** `capacity`: a power of two. */
  constructor(capacity = INITIAL) {
    this.allocate(capacity);
  }

  /** True when the ring is larger than KEEP slots (see trim). */
  get large(): boolean {
    return this.mask >= KEEP;
  }

  /** Releases the storage of an empty ring larger than KEEP slots (back to INITIAL). */
  trim(): void {
    if (this.size !== 0 || this.mask < KEEP) return;
    this.allocate(INITIAL);
    this.first = 0;
  }

  /**
   * Appends an event numbered `seq`: `what` is the built event, or the builder of a deferred one
   * (then `a`, `b`, `c` are its arguments). With `clock` the queueing time is read here (stored
   * unboxed; each read of the clock costs a heap number), else the builder supplies the time.
   */
  push(what: DevEvent | EventBuilder, a: unknown, b: unknown, c: unknown, type: DevEventType, scope: ActionScope, seq: number, clock: boolean): void {
    if (this.size > this.mask) this.grow();
    const i = (this.first + this.size) & this.mask;
    const r = i * REFS;
    this.refs[r] = what;
    this.refs[r + 1] = a;
    this.refs[r + 2] = b;
    this.refs[r + 3] = c;
    this.nums[i * NUMS] = seq;
    this.nums[i * NUMS + 1] = clock ? Date.now() : NaN;
    this.codes[i] = TYPES.indexOf(type) * 4 + SCOPES.indexOf(scope);
    this.size++;
  }

  /** Slot index of the oldest event (only while size > 0). */
  get head(): number {
    return this.first;
  }

  /** Slot index of the queued event numbered `seq`, or -1. */
  find(seq: number): number {
    if (this.size === 0) return -1;
    const off = seq - this.nums[this.first * NUMS];
    if (!(off >= 0 && off < this.size)) return -1;
    const i = (this.first + off) & this.mask;
    return this.nums[i * NUMS] === seq ? i : -1;
  }

  /** The built event in slot `i`, or undefined for a deferred one. */
  built(i: number): DevEvent | undefined {
    const w = this.refs[i * REFS];
    return typeof w === 'function' ? undefined : (w as DevEvent);
  }

  /** The event in slot `i`, built now if it was deferred (frozen; the slot keeps its references). */
  event(i: number): DevEvent {
    const r = i * REFS;
    const w = this.refs[r];
    if (typeof w !== 'function') return w as DevEvent;
    return Object.freeze((w as EventBuilder)(this.refs[r + 1], this.refs[r + 2], this.refs[r + 3], this.nums[i * NUMS], this.nums[i * NUMS + 1]));
  }

  /** Sequence number of slot `i`. */
  seq(i: number): number {
    return this.nums[i * NUMS];
  }

  /** Event type of slot `i`. */
  type(i: number): DevEventType {
    return TYPES[this.codes[i] >> 2];
  }

  /** Action scope of slot `i`. */
  scope(i: number): ActionScope {
    return SCOPES[this.codes[i] & 3];
  }

  /** Changes the action scope of slot `i`. */
  setScope(i: number, scope: ActionScope): void {
    this.codes[i] = (this.codes[i] & ~3) | SCOPES.indexOf(scope);
  }

  /** Drops the oldest event (its references are released). */
  shift(): void {
    const r = this.first * REFS;
    this.refs[r] = this.refs[r + 1] = this.refs[r + 2] = this.refs[r + 3] = undefined;
    this.first = (this.first + 1) & this.mask;
    this.size--;
  }

  /** New, empty storage for `capacity` slots. */
  private allocate(capacity: number): void {
    this.refs = new Array<unknown>(capacity * REFS).fill(undefined);
    this.nums = new Float64Array(capacity * NUMS);
    this.codes = new Uint8Array(capacity);
    this.mask = capacity - 1;
  }

  /** Doubles the capacity, keeping the order. */
  private grow(): void {
    const { refs, nums, codes, mask, first } = this;
    this.allocate(2 * (mask + 1));
    for (let n = 0; n < this.size; n++) {
      const i = (first + n) & mask;
      for (let k = 0; k < REFS; k++) this.refs[n * REFS + k] = refs[i * REFS + k];
      this.nums[n * NUMS] = nums[i * NUMS];
      this.nums[n * NUMS + 1] = nums[i * NUMS + 1];
      this.codes[n] = codes[i];
    }
    this.first = 0;
  }
}
