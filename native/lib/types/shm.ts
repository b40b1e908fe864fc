/** A new region: its key (for {@link ShmBinding.shmMap} in another thread) and this thread's mapping. */
export interface ShmRegion {
  key: number;
  buffer: ArrayBuffer;
}

/**
 * Memory several threads of this process see as ordinary ArrayBuffers (src/shm.cc). Copies into
 * and out of them run at memmove speed — V8 copies a SharedArrayBuffer with relaxed atomic moves,
 * ~4× slower — but nothing orders the threads' accesses: do that with Atomics on a
 * SharedArrayBuffer. A region lives while any of its mappings does (each is released when
 * garbage-collected or when its thread ends); keys are never reused.
 */
export interface ShmBinding {
  /**
   * A new zero-filled region of `bytes` (an integer 1..1 GiB; else `ERR_OUT_OF_RANGE`), mapped in
   * this thread. `ENOMEM` when it cannot be allocated.
   */
  shmCreate(bytes: number): ShmRegion;
  /** Another mapping of the live region `key` (from any thread). `ENOENT` when it is gone. */
  shmMap(key: number): ArrayBuffer;
  /** Regions alive now and their bytes (for leak checks). */
  shmStats(): { regions: number; bytes: number };
}
