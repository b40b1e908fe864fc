/**
 * Inode table and change log (implemented in src/inode_table.cc, bound in src/inode_table_napi.cc).
 *
 * The table is process-global: every worker_thread that loads the addon, and native threads such
 * as the tap netlink watcher, share one instance. A device slot is named by a packed key
 * `gen * 2**24 + ino` (see `packKey`/`inoOf`/`genOf` in `lib/inodes.ts`): the slot generation
 * changes on every reuse of an inode number, so a stale key never reaches a recycled slot.
 */
export interface InodeBinding {
  /**
   * Allocates a live slot and returns its key `gen * 2**24 + ino` (ino >= 3; 0 when the table is
   * full). Appends an INSERT record (counted by `devfsGeneration()`). `tag` (default 0 = the JS
   * kernel) marks the registrar; a `name` (< 64 bytes) may be kept only with a foreign tag.
   * Throws ERR_INVALID_ARG_TYPE / ERR_OUT_OF_RANGE on bad arguments, EINVAL for a name with tag 0,
   * ENAMETOOLONG for a name of 64 bytes or more.
   */
  inodeInsert(tag?: number, name?: string): number;
  /** Frees the slot if (ino, gen) still names it; appends a CLEAR record. False when stale. */
  inodeClear(ino: number, gen: number): boolean;
  /** True while (ino, gen) names a live slot. */
  inodeIsLive(ino: number, gen: number): boolean;
  /** The name kept with a live foreign slot; undefined when stale, a kernel slot, or unnamed. */
  inodeForeignName(ino: number, gen: number): string | undefined;
  /**
   * The slots live right now with owner `tag`, flattened as `[ino, gen, ino, gen, ...]`. Scans
   * every inode number ever handed out: meant for the rescan after `changelogRead` answered -1.
   */
  inodeForeignList(tag: number): number[];
  /** Live slots right now (all registrars, all threads). */
  inodeLiveCount(): number;
  /**
   * `devfs_generation`: the number of changes ever made (every change published before the call,
   * by any thread, is counted). Read it before reading the log: if it is unchanged next time,
   * nothing new was appended. Each thread records its changes in a ring of its own; this call
   * (like `changelogHead` and `changelogRead`) first moves what the rings hold into the one global
   * log when they hold anything.
   */
  devfsGeneration(): number;
  /**
   * `devfs_generation` itself as two 32-bit words, read in place without a call. It moves after
   * every change published after the value the caller's last `generationWatch()` returned, so a
   * hot path that calls `generationWatch()`, reads the log to its head, and next time compares
   * both words with the value it got (any difference, even a torn read, means "changed") never
   * misses a change. Without a watch it may lag behind `devfsGeneration()` (writers move it only
   * while a reader watches: otherwise they share nothing per change). Read-only by contract; each
   * call returns a new view of the same counter.
   */
  generationWords(): Uint32Array;
  /**
   * Watches `generationWords()`: moves what the per-thread logs hold into the global log, marks
   * the words watched (the next change, by any thread, moves them: its writer then sequences the
   * logs itself) and returns `devfs_generation` as it was at that moment — the value to compare
   * the words with next time. Call it, then read the log to its head. `changelogRead` alone does
   * not watch, so threads that only read the log cost writers nothing.
   */
  generationWatch(): number;
  /**
   * A creation stamp for the calling thread's own changes: strictly greater after each change this
   * thread makes than any `devfsGeneration()` this thread read before it, and never greater than a
   * `devfsGeneration()` read later. Reads only what this thread writes (and a word rewritten when
   * the log is read), so a kernel can stamp every device with it without making other threads'
   * writers share a cache line with it.
   */
  generationStamp(): number;
  /** Total change-log records ever appended; a reader that wants only news starts its cursor here. */
  changelogHead(): number;
  /**
   * Reads records from `cursor` into `out`, 4 uint32 per record: `[op, ino, gen, tag]` with op 1 =
   * INSERT, 2 = CLEAR; at most `out.length / 4` records. Returns how many were written (advance the
   * cursor by that; fewer than asked when it reaches the head or a record still being published),
   * or -1 when the cursor fell more than `changelogCapacity` behind or its record was overwritten:
   * the caller must rescan and continue from `changelogHead()`. Allocates nothing.
   */
  changelogRead(cursor: number, out: Uint32Array): number;
  /** Records the change-log ring holds (1 << 16). */
  readonly changelogCapacity: number;
  /** Slots reserved (1 << 24 unless the address space refused); inode numbers are below it. */
  readonly inodeCapacity: number;
}

/** Change-log record operation codes (`out[4 * i]` of `changelogRead`). */
export const CHANGE_INSERT = 1;
/** See `CHANGE_INSERT`. */
export const CHANGE_CLEAR = 2;
/** Owner tag of inodes inserted by the JS kernel; any other tag is a foreign registrar. */
export const TAG_KERNEL = 0;
