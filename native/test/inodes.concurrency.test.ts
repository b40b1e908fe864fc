import * as fs from 'fs';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { native, candidatePaths, inoOf, genOf, CHANGE_INSERT, CHANGE_CLEAR } from '@devfs/native';

const FIXTURE = path.join(__dirname, 'fixtures', 'inode-hammer.js');
const ADDON = candidatePaths().find((p) => fs.existsSync(p)) as string;
const OWNER_SLOTS = 1 << 20;
const WORKERS = 2;
const OPS = 200_000;

interface Counters { [name: string]: number }
interface WorkerResult { counters: Counters; live: number[] }
interface ReaderStats {
  inserts: number; clears: number; behind: number; spuriousBehind: number; firstReadBehind: boolean;
  replayErrors: string[]; genBackwards: number; replayLive: Map<number, number>; complete: boolean; rescanHead: number;
  /** Reads that ended (fewer records than asked) short of the generation read just before. */
  shortOfGeneration: number;
}

/**
 * Starts WORKERS workers hammering the table and reads the change log from the main thread until
 * every worker is done and the log is drained. With `backpressure` the workers never get more
 * than half a ring ahead of the reader's published cursor. `lagFirst` makes the reader wait until
 * it is more than a ring behind before its first read (its cursor is hidden from the workers
 * until then), so that read must answer -1; after the rescan backpressure applies again.
 */
async function hammer(backpressure: boolean, lagFirst: boolean, maxLive = 2000): Promise<{
  results: WorkerResult[]; stats: ReaderStats; gen0: number; head0: number; live0: number;
}> {
  const ctl = new Int32Array(new SharedArrayBuffer(16));
  const cursorArr = new BigInt64Array(new SharedArrayBuffer(8));
  const owner = new SharedArrayBuffer(4 * OWNER_SLOTS);
  const lastGen = new SharedArrayBuffer(4 * OWNER_SLOTS);
  const ready: Promise<void>[] = [];
  const done: Promise<WorkerResult>[] = [];
  const workers: Worker[] = [];
  for (let id = 1; id <= WORKERS; id++) {
    const w = new Worker(FIXTURE, {
      workerData: {
        addonPath: ADDON, id, ops: OPS, maxLive, backpressure,
        ctl: ctl.buffer, cursor: cursorArr.buffer, owner, lastGen,
      },
    });
    workers.push(w);
    ready.push(new Promise((res, rej) => {
      w.once('message', () => res());
      w.once('error', rej);
    }));
    done.push(new Promise((res, rej) => {
      w.on('message', (m: { counters?: Counters; live?: number[] }) => m.counters && res(m as WorkerResult));
      w.on('error', rej);
      w.on('exit', (code) => code !== 0 && rej(new Error(`worker exited with ${code}`)));
    }));
  }
  try {
    await Promise.all(ready);
    const gen0 = native.devfsGeneration();
    const head0 = native.changelogHead();
    const live0 = native.inodeLiveCount();
    Atomics.store(cursorArr, 0, lagFirst ? BigInt(2 ** 53) : BigInt(head0));
    Atomics.store(ctl, 0, 1);
    Atomics.notify(ctl, 0);
    const stats = readLog(head0, ctl, cursorArr, lagFirst);
    const results = await Promise.all(done);
    return { results, stats, gen0, head0, live0 };
  } finally {
    Atomics.store(ctl, 0, 1);
    Atomics.notify(ctl, 0);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** The main thread's reader: batches of 1024 records, replaying them per inode. */
function readLog(head0: number, ctl: Int32Array, cursorArr: BigInt64Array, lagFirst: boolean): ReaderStats {
  const cap = native.changelogCapacity;
  const buf = new Uint32Array(4 * 1024);
  const s: ReaderStats = {
    inserts: 0, clears: 0, behind: 0, spuriousBehind: 0, firstReadBehind: false, replayErrors: [],
    genBackwards: 0, replayLive: new Map(), complete: true, rescanHead: -1, shortOfGeneration: 0,
  };
  const lastGenOf = new Map<number, number>();
  const err = (m: string) => s.replayErrors.length < 10 && s.replayErrors.push(m);
  let cursor = head0;
  let lastGen = native.devfsGeneration();
  const deadline = Date.now() + 20_000;
  if (lagFirst) {
    while (native.changelogHead() - cursor <= cap + 1) {
      if (Date.now() > deadline) throw new Error('workers never got a ring ahead');
      Atomics.wait(ctl, 3, 0, 1);
    }
  }
  let first = true;
  for (;;) {
    if (Date.now() > deadline) throw new Error('reader did not finish in 20 s');
    const g = native.devfsGeneration();
    if (g < lastGen) s.genBackwards++;
    lastGen = g;
    const finished = Atomics.load(ctl, 2) === WORKERS;
    const n = native.changelogRead(cursor, buf);
    // The generation is the log's claimed length: a read that stops before the end of its buffer
    // has waited out every record claimed before it started, so it reaches the generation read above.
    if (n >= 0 && n < buf.length / 4 && cursor + n < g) s.shortOfGeneration++;
    if (first) s.firstReadBehind = n === -1;
    first = false;
    if (n === -1) {
      // Told to rescan: that must be true (more than a ring behind), then continue from the head
      // with no knowledge of which inodes are live.
      s.behind++;
      s.complete = false;
      const h = native.changelogHead();
      if (h - cursor <= cap) s.spuriousBehind++;
      cursor = h;
      s.rescanHead = h;
      Atomics.store(cursorArr, 0, BigInt(cursor));
      s.replayLive.clear();
      lastGenOf.clear();
      continue;
    }
    for (let i = 0; i < n; i++) {
      const op = buf[4 * i], ino = buf[4 * i + 1], gen = buf[4 * i + 2];
      const liveGen = s.replayLive.get(ino);
      if (op === CHANGE_INSERT) {
        s.inserts++;
        if (liveGen !== undefined) err(`INSERT ${ino}/${gen} while ${ino}/${liveGen} is live`);
        const prev = lastGenOf.get(ino);
        if (prev !== undefined && gen <= prev) err(`INSERT ${ino}/${gen} after gen ${prev}`);
        s.replayLive.set(ino, gen);
        lastGenOf.set(ino, gen);
      } else if (op === CHANGE_CLEAR) {
        s.clears++;
        if (liveGen !== undefined && liveGen !== gen) err(`CLEAR ${ino}/${gen} while ${ino}/${liveGen} is live`);
        if (liveGen === undefined && s.complete) err(`CLEAR ${ino}/${gen} of an inode never inserted`);
        s.replayLive.delete(ino);
        lastGenOf.set(ino, gen);
      } else {
        err(`unknown op ${op}`);
      }
    }
    cursor += n;
    Atomics.store(cursorArr, 0, BigInt(cursor));
    Atomics.add(ctl, 1, 1);
    Atomics.notify(ctl, 1);
    if (n === 0) {
      if (finished && cursor === native.changelogHead()) return s;
      Atomics.wait(ctl, 3, 0, 1);
    }
  }
}

/** Invariants every run must satisfy, whether or not the reader kept up. */
function checkTable(r: Awaited<ReturnType<typeof hammer>>): { ops: number; liveKeys: number[] } {
  let inserts = 0, clears = 0;
  const liveKeys: number[] = [];
  for (const { counters: c, live } of r.results) {
    for (const bad of ['full', 'lowIno', 'outOfRange', 'duplicateLive', 'notLiveAfterInsert', 'genNotIncreasing',
      'lostOwnership', 'clearRefused', 'staleAccepted', 'staleLive']) {
      expect([bad, c[bad]]).toEqual([bad, 0]);
    }
    expect(c.staleTried).toBeGreaterThan(1000);
    inserts += c.inserts;
    clears += c.clears;
    liveKeys.push(...live);
  }
  const ops = inserts + clears;
  expect(ops).toBe(WORKERS * OPS);
  // No duplicate live inode across workers, and the table agrees on what is live.
  expect(new Set(liveKeys.map(inoOf)).size).toBe(liveKeys.length);
  expect(native.inodeLiveCount() - r.live0).toBe(liveKeys.length);
  for (const k of liveKeys) expect(native.inodeIsLive(inoOf(k), genOf(k))).toBe(true);
  // One generation bump and one log record per change, none for refused stale clears.
  expect(native.devfsGeneration() - r.gen0).toBe(ops);
  expect(native.changelogHead() - r.head0).toBe(ops);
  expect(r.stats.genBackwards).toBe(0);
  expect(r.stats.shortOfGeneration).toBe(0);
  expect(r.stats.replayErrors).toEqual([]);
  expect(r.stats.spuriousBehind).toBe(0);
  if (r.stats.complete) {
    // A reader that kept up saw every change.
    const ins = r.results.reduce((a, x) => a + x.counters.inserts, 0);
    expect(r.stats.inserts).toBe(ins);
    expect(r.stats.clears).toBe(ops - ins);
    expect(new Map(liveKeys.map((k) => [inoOf(k), genOf(k)]))).toEqual(r.stats.replayLive);
  } else {
    expect(r.stats.behind).toBeGreaterThan(0);
    expect(r.stats.inserts + r.stats.clears).toBeLessThan(ops);
  }
  return { ops, liveKeys };
}

function clearAll(keys: number[]): void {
  for (const k of keys) expect(native.inodeClear(inoOf(k), genOf(k))).toBe(true);
}

describe('inode table under worker_threads', () => {
  test('a reader that keeps up sees every change, in an order consistent per inode', async () => {
    const r = await hammer(true, false);
    if (process.env.INODE_DEBUG) console.log(JSON.stringify({ ...r.stats, replayLive: r.stats.replayLive.size, c: r.results.map((x) => x.counters) }));
    const { liveKeys } = checkTable(r);
    expect(r.stats.behind).toBe(0);
    expect(r.stats.complete).toBe(true);
    clearAll(liveKeys);
  });

  test('two writers doing insert+clear pairs (each reusing the inode it freed last): no duplicate, every change seen', async () => {
    const r = await hammer(true, false, 1);
    const { liveKeys } = checkTable(r);
    expect(r.stats.complete).toBe(true);
    expect(r.stats.inserts).toBe(OPS); // maxLive 1: insert, clear, insert, ... from each worker
    clearAll(liveKeys);
  });

  test('a reader more than a ring behind is told to rescan, then follows again', async () => {
    const r = await hammer(true, true);
    if (process.env.INODE_DEBUG) console.log(JSON.stringify({ ...r.stats, replayLive: r.stats.replayLive.size, c: r.results.map((x) => x.counters) }));
    const { liveKeys } = checkTable(r);
    expect(r.stats.firstReadBehind).toBe(true);
    expect(r.stats.behind).toBe(1);
    // From the head it resumed at, it saw every later change.
    expect(r.stats.inserts + r.stats.clears).toBe(native.changelogHead() - r.stats.rescanHead);
    expect(r.stats.inserts + r.stats.clears).toBeGreaterThan(0);
    clearAll(liveKeys);
  });
});

describe('per-thread inode caches', () => {
  /** Runs `code` (the addon is `b`) in a fresh worker_thread; resolves with what it posts. */
  function inWorker<T>(code: string): Promise<T> {
    const src = `const { parentPort } = require('worker_threads'); const b = require(${JSON.stringify(ADDON)}); ${code}`;
    return new Promise<T>((resolve, reject) => {
      const w = new Worker(src, { eval: true });
      let got: T;
      w.once('message', (m: T) => { got = m; });
      w.once('error', reject);
      w.once('exit', (code) => (code === 0 ? resolve(got) : reject(new Error(`worker exited with ${code}`))));
    });
  }

  test('the numbers a thread held come back when it exits (30 threads reuse them), and its live count stays counted', async () => {
    const live0 = native.inodeLiveCount();
    const used = new Set<number>();
    for (let i = 0; i < 30; i++) {
      // 40 live at once: more than one refill; all cleared again, so the exiting thread holds 40 free numbers
      const inos = await inWorker<number[]>(`
        const keys = []; for (let i = 0; i < 40; i++) keys.push(b.inodeInsert());
        for (const k of keys) if (!b.inodeClear(k % 2 ** 24, Math.floor(k / 2 ** 24))) throw new Error('clear refused');
        parentPort.postMessage(keys.map((k) => k % 2 ** 24));`);
      for (const ino of inos) used.add(ino);
    }
    // Without the spill at exit every thread would strand its cache (64 numbers each: ~1,900 in all).
    expect(used.size).toBeLessThan(3 * 64);
    expect(native.inodeLiveCount()).toBe(live0);
  });

  test('an inode another thread freed is reused by a thread whose cache is empty (through the shared stack)', async () => {
    // A worker inserts 100 and exits holding them live; the main thread clears them (its cache
    // spills past 64) and a second worker's first inserts take spilled numbers, not fresh ones.
    const keys = await inWorker<number[]>(`
      const keys = []; for (let i = 0; i < 100; i++) keys.push(b.inodeInsert());
      parentPort.postMessage(keys);`);
    for (const k of keys) expect(native.inodeClear(inoOf(k), genOf(k))).toBe(true);
    const freed = new Set(keys.map(inoOf));
    const again = await inWorker<number[]>(`
      const keys = []; for (let i = 0; i < 32; i++) keys.push(b.inodeInsert());
      for (const k of keys) b.inodeClear(k % 2 ** 24, Math.floor(k / 2 ** 24));
      parentPort.postMessage(keys.map((k) => k % 2 ** 24));`);
    expect(again.every((ino) => freed.has(ino))).toBe(true);
  });
});
