/**
 * glibc's malloc, set up for a process that hosts drivers: the daemon (first thing its verb
 * does) and any host that loads a driver isolated (when its first worker starts).
 */
import { native } from '@devfs/native';

/**
 * Sets glibc's malloc up for a long-running driver host whose threads come and go:
 * - arenas capped at 2 (M_ARENA_MAX). glibc decides its arena limit once, the first time a thread
 *   needs an arena after the eighth exists, and never returns an arena it made: the cap only holds
 *   if it is set before the process's threads (V8's platform workers, libuv's pool, pty readers)
 *   have taken arenas of their own. So the `daemon` verb calls this first, before it loads
 *   anything else (set later, it left five extra arenas); set later it still caps new ones;
 * - fixed mmap (128 KiB) and trim (512 KiB) thresholds. glibc raises both after every large free
 *   (a pty reader's 4 MiB output buffer lifts them to 4 and 8 MiB), after which large buffers come
 *   from the arenas, and a thread arena's free top — which malloc_trim does not return — stays
 *   resident: the daemon's 5-minute soak grew by that (figures in the CLI README). And with
 *   glibc's initial 128 KiB trim threshold a worker thread's arena is shrunk and faulted back in
 *   over and over: an isolated echo driver's 64 KiB writes took 555k page faults per 60k writes
 *   (24k with these settings) and ran at under half the speed.
 * Idempotent; a no-op without glibc.
 */
export function tuneMalloc(): void {
  native.mallocArenaMax(2);
  native.mallocThresholds(128 * 1024, 512 * 1024);
}
