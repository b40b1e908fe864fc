import { native } from '@devfs/native';

/** Change-log operation codes (native/src/inode_table.h). */
export const CHANGE_INSERT = 1;
export const CHANGE_CLEAR = 2;
/** Owner tag of inodes inserted by a JS kernel. */
export const TAG_KERNEL = 0;

const BATCH = 1024;

/**
 * devfs_generation read in place, as two 32-bit words (no native call): a hot path compares both
 * with the value its last `watchGeneration()` returned (split with `splitGeneration`): any
 * difference, a torn read included, means "changed". The words move after every change made
 * after that value (each thread logs its changes in a ring of its own and moves the words itself
 * only while a reader watches), so call `watchGeneration()`, then drain, and keep the value it
 * returned — as `Mount.populate` does. For a count of changes call `native.devfsGeneration()`; to
 * stamp this thread's own changes, `native.generationStamp()`.
 */
export const GENERATION: Uint32Array = native.generationWords();

/**
 * Sequences pending changes, makes the next change by any thread move `GENERATION`, and returns
 * devfs_generation at that moment: compare `GENERATION` with it (`splitGeneration`) next time.
 */
export function watchGeneration(): number {
  return native.generationWatch();
}

/** A generation as the two words `GENERATION` shows it: [low 32 bits, high bits]. */
export function splitGeneration(g: number): [number, number] {
  const lo = g % 4294967296;
  return [lo, (g - lo) / 4294967296];
}

/** Callback for one change record. */
export type ChangeVisitor = (op: number, ino: number, gen: number, tag: number) => void;

/**
 * A reader of the native change log with its own cursor. `drain` visits every record since the
 * last call in batches (one native call returns up to 1,024 records) and returns false when the
 * cursor fell behind the ring: the caller must rescan; the cursor then restarts at the head.
 */
export class ChangeLogReader {
  cursor: number;
  private static buf = new Uint32Array(BATCH * 4);

  constructor(cursor = native.changelogHead()) {
    this.cursor = cursor;
  }

  /** True when records were appended since the last drain. */
  get behind(): boolean {
    return native.changelogHead() !== this.cursor;
  }

  /** Visits pending records; false (cursor moved to head) when they were lost to a wrap. */
  drain(visit: ChangeVisitor): boolean {
    const buf = ChangeLogReader.buf;
    for (;;) {
      const n = native.changelogRead(this.cursor, buf);
      if (n < 0) {
        this.cursor = native.changelogHead();
        return false;
      }
      for (let i = 0; i < n; i++) {
        const o = i * 4;
        visit(buf[o], buf[o + 1], buf[o + 2], buf[o + 3]);
      }
      this.cursor += n;
      if (n < BATCH) return true;
    }
  }

  /** Skips to the head without visiting. */
  skipToHead(): void {
    this.cursor = native.changelogHead();
  }
}
