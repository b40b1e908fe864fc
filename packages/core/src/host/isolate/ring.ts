/**
 * A single-producer single-consumer ring of fixed-size int32 records in shared memory, with a
 * doorbell: the producer wakes the consumer (Atomics.notify) only when the consumer said it is
 * about to sleep, so a consumer that is busy — or polling — costs the producer no wake-up. The
 * consumer sleeps with Atomics.waitAsync, so its event loop keeps running meanwhile.
 *
 * Sleep/wake is Dekker's handshake on two sequentially consistent words: the producer publishes
 * `head` and then reads `sleeping`; the consumer sets `sleeping` and then re-reads `head`. At
 * least one of them sees the other's store, so a record is never left behind a sleeping consumer.
 */

const HEAD = 0; // records published (producer), modulo 2^32
const TAIL = 1; // records consumed (consumer), modulo 2^32
const SLEEPING = 2; // 1 while the consumer is (about to be) asleep
const CTRL_WORDS = 16; // the control words have a cache line of their own

type WaitAsync = (a: Int32Array, index: number, value: number, timeoutMs?: number) =>
  { async: false; value: string } | { async: true; value: Promise<string> };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

/** Bytes of shared memory a ring of `capacity` records of `words` int32 each needs. */
export function ringBytes(capacity: number, words: number): number {
  return 4 * (CTRL_WORDS + capacity * words);
}

/** One end of a ring (both ends construct it over the same SharedArrayBuffer and offset). */
export class Ring {
  private readonly a: Int32Array;
  private readonly rec: Int32Array;
  private waiting = false;
  /** The head the consumer's last `peek` saw: `sleep` waits for a newer one. */
  private seen = 0;

  constructor(sab: SharedArrayBuffer, offset: number, readonly capacity: number, readonly words: number) {
    this.a = new Int32Array(sab, offset, CTRL_WORDS);
    this.rec = new Int32Array(sab, offset + 4 * CTRL_WORDS, capacity * words);
  }

  /** Records published and not yet consumed. */
  get size(): number {
    return (Atomics.load(this.a, HEAD) - Atomics.load(this.a, TAIL)) >>> 0;
  }

  /**
   * Producer: the next free record (its first word's index in `records`), or -1 when the ring is
   * full. Fill `records[i .. i + words)` and call `publish()`.
   */
  reserve(): number {
    const head = Atomics.load(this.a, HEAD);
    if (((head - Atomics.load(this.a, TAIL)) >>> 0) >= this.capacity) return -1;
    return ((head >>> 0) % this.capacity) * this.words;
  }

  /** The record words (producer fills a reserved record; consumer reads the one `peek` names). */
  get records(): Int32Array {
    return this.rec;
  }

  /** Producer: publishes the reserved record and rings the doorbell if the consumer sleeps. */
  publish(): void {
    Atomics.add(this.a, HEAD, 1);
    if (Atomics.load(this.a, SLEEPING) !== 0) Atomics.notify(this.a, HEAD);
  }

  /** Consumer: the oldest unconsumed record's first word index, or -1 when empty. */
  peek(): number {
    const tail = Atomics.load(this.a, TAIL);
    this.seen = Atomics.load(this.a, HEAD);
    if (tail === this.seen) return -1;
    return ((tail >>> 0) % this.capacity) * this.words;
  }

  /** Consumer: frees the record `peek` returned. */
  consume(): void {
    Atomics.add(this.a, TAIL, 1);
  }

  /**
   * Consumer: calls `wake` once a record newer than the last `peek` saw is published — at once
   * when one already is, else when the producer rings (or after `timeoutMs`, when given). A
   * record the consumer left in the ring on purpose (it must wait for something else) does not
   * wake it again. One wait at a time: a second call while one is armed does nothing.
   */
  sleep(wake: () => void, timeoutMs?: number): void {
    if (this.waiting) return;
    const head = this.seen;
    Atomics.store(this.a, SLEEPING, 1);
    if (Atomics.load(this.a, HEAD) !== head) {
      Atomics.store(this.a, SLEEPING, 0);
      queueMicrotask(wake);
      return;
    }
    const r = waitAsync(this.a, HEAD, head, timeoutMs);
    if (!r.async) {
      Atomics.store(this.a, SLEEPING, 0);
      queueMicrotask(wake);
      return;
    }
    this.waiting = true;
    void r.value.then(() => {
      this.waiting = false;
      Atomics.store(this.a, SLEEPING, 0);
      wake();
    });
  }

  /** Wakes this ring's sleeping consumer from any thread (e.g. its own, to end its wait). */
  ring(): void {
    Atomics.notify(this.a, HEAD);
  }

  /** Consumer: true when a record is published and not consumed (two loads; for polling). */
  get nonEmpty(): boolean {
    return Atomics.load(this.a, HEAD) !== Atomics.load(this.a, TAIL);
  }

  /** Consumer: it polls from now on (spins), so producers need not ring the doorbell. */
  awake(): void {
    Atomics.store(this.a, SLEEPING, 0);
  }

  /**
   * Consumer: stops polling (its armed `sleep` goes on waiting). True when a record was published
   * since its last `peek`: no doorbell rings for that one, so take it now.
   */
  drowse(): boolean {
    Atomics.store(this.a, SLEEPING, 1);
    return Atomics.load(this.a, HEAD) !== this.seen;
  }
}
