/**
 * What a make_dev + destroy_dev pair allocates (a memory figure, not a timing one): measured as the
 * V8 heap's growth over pairs run with no garbage collection in between (a window a GC interrupted
 * is measured again). Before issue 18's allocation work a pair of 'w/probe' cost ~1.5 KB (event
 * records, an options object, rest arrays, a closure context per emit, two Maps and a Map shrink
 * for the directory); now the device, its key, its directory node and two clock readings.
 */
import { PerformanceObserver } from 'perf_hooks';
import * as v8 from 'v8';
import { bareKernel } from './helpers';

let gcs = 0;
const obs = new PerformanceObserver((list) => { gcs += list.getEntries().length; });
beforeAll(() => obs.observe({ entryTypes: ['gc'] }));
afterAll(() => obs.disconnect());

/**
 * Heap bytes per pair over `n` pairs, from the first window no GC ran in (and that grew the heap:
 * a concurrent sweep finishing in the window only lowers the figure, a window it hid is retried).
 */
async function bytesPerPair(run: (n: number) => void, n: number): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    await new Promise((r) => setTimeout(r, 5)); // let pending GC entries arrive
    const g = gcs;
    const before = v8.getHeapStatistics().used_heap_size;
    run(n);
    const after = v8.getHeapStatistics().used_heap_size;
    await new Promise((r) => setTimeout(r, 5));
    if (gcs === g && after > before) return (after - before) / n;
  }
  throw new Error('every measuring window was interrupted by a GC');
}

test.each([
  ['probe', 200],     // a Cdev (72 B), its key (a heap number), two clock readings: ~120 B
  ['w/probe', 330],   // + the directory node made and pruned each time: ~240 B
])('a make_dev + destroy_dev pair of %j nobody listens to allocates < %d bytes', async (name, bound) => {
  const k = bareKernel();
  const sw = { d_name: 'alloc' };
  const run = (n: number): void => { for (let i = 0; i < n; i++) void k.destroy_dev(k.make_dev(sw, 0, 0, 0, 0o600, name)); };
  for (let i = 0; i < 10; i++) { run(5000); await k.events.flush(); } // optimised, queue at its size
  const per = await bytesPerPair(run, 2000);
  await k.events.flush();
  expect(per).toBeLessThan(bound);
});
