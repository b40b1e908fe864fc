import * as fs from 'fs';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { native, candidatePaths, inoOf, genOf, CHANGE_INSERT, CHANGE_CLEAR } from '@devfs/native';

// Each thread records its changes in a ring of its own; readers see one global order made when
// they read (native/README.md, "The inode table"). These runs check what that order promises.

const FIXTURE = path.join(__dirname, 'fixtures', 'threadlog-worker.js');
const ADDON = candidatePaths().find((p) => fs.existsSync(p)) as string;
const TAG = 77;

interface Started { ready: Promise<void>; done: Promise<{ refused: number }>; worker: Worker }

function start(role: string, n: number, tag: number, ctl: Int32Array, keys?: SharedArrayBuffer): Started {
  const worker = new Worker(FIXTURE, { workerData: { addonPath: ADDON, role, n, tag, ctl: ctl.buffer, keys } });
  const ready = new Promise<void>((res, rej) => {
    worker.once('message', () => res());
    worker.once('error', rej);
  });
  const done = new Promise<{ refused: number }>((res, rej) => {
    worker.on('message', (m: { done?: boolean; refused: number }) => m.done && res(m));
    worker.on('error', rej);
    worker.on('exit', (code) => code !== 0 && rej(new Error(`worker exited with ${code}`)));
  });
  return { ready, done, worker };
}

const newCtl = (): Int32Array => new Int32Array(new SharedArrayBuffer(4 * 8));
const go = (ctl: Int32Array): void => {
  Atomics.store(ctl, 0, 1);
  Atomics.notify(ctl, 0);
};
const asNumber = (w: Uint32Array): number => w[0] + w[1] * 2 ** 32;

/** Reads from `cursor` to the head; returns the new cursor and calls `visit` per record. */
function readTo(cursor: number, visit: (op: number, ino: number, gen: number, tag: number) => void): number {
  const out = new Uint32Array(4 * 1024);
  for (;;) {
    const n = native.changelogRead(cursor, out);
    if (n < 0) throw new Error(`reader fell behind at ${cursor}`);
    for (let i = 0; i < n; i++) visit(out[4 * i], out[4 * i + 1], out[4 * i + 2], out[4 * i + 3]);
    cursor += n;
    if (n < 1024) return cursor;
  }
}

describe('per-thread change logs, one global order', () => {
  test('INSERTs by one thread and CLEARs of them by another: per inode, every INSERT before its CLEAR', async () => {
    const N = 40_000;
    const ctl = newCtl();
    const keys = new SharedArrayBuffer(8 * 256);
    // The clearer calls in first, so its ring is merged first when two records tie: only the
    // merge's own rule (a CLEAR waits for its INSERT) keeps the order.
    const clearer = start('clearer', N, 0, ctl, keys);
    await clearer.ready;
    const inserter = start('inserter', N, TAG, ctl, keys);
    await inserter.ready;
    try {
      let cursor = native.changelogHead();
      const gen0 = native.devfsGeneration();
      go(ctl);
      const live = new Map<number, number>();
      const errors: string[] = [];
      const err = (m: string) => errors.length < 10 && errors.push(m);
      let inserts = 0, clears = 0;
      const deadline = Date.now() + 30_000;
      for (;;) {
        const finished = Atomics.load(ctl, 7) === 2;
        cursor = readTo(cursor, (op, ino, gen, tag) => {
          if (op === CHANGE_INSERT) {
            if (live.has(ino)) err(`INSERT ${ino}/${gen} while ${ino}/${live.get(ino)} is live`);
            live.set(ino, gen);
            if (tag === TAG) inserts++;
          } else if (op === CHANGE_CLEAR) {
            if (live.get(ino) !== gen) err(`CLEAR ${ino}/${gen} while ${live.get(ino) ?? 'nothing'} is live`);
            live.delete(ino);
            if (tag === TAG) clears++;
          }
        });
        Atomics.store(ctl, 6, inserts);
        Atomics.notify(ctl, 6);
        if (finished && cursor === native.changelogHead()) break;
        if (Date.now() > deadline) throw new Error('run did not finish in 30 s');
        Atomics.wait(ctl, 7, Atomics.load(ctl, 7), 0.2);
      }
      expect(errors).toEqual([]);
      expect([inserts, clears]).toEqual([N, N]);
      expect(live.size).toBe(0);
      expect(native.devfsGeneration() - gen0).toBe(2 * N);
      expect((await clearer.done).refused).toBe(0);
      await inserter.done;
    } finally {
      await Promise.all([clearer.worker.terminate(), inserter.worker.terminate()]);
    }
  });

  test('the generation words move after every change made after a watch, while another writer runs', async () => {
    const T = 900;
    const ctl = newCtl();
    const background = start('background', 0, 0, ctl);
    const turns = start('turns', T, TAG, ctl);
    await Promise.all([background.ready, turns.ready]);
    try {
      go(ctl);
      const words = native.generationWords();
      let cursor = native.changelogHead();
      let misses = 0, watchedOnly = 0, changed = 0;
      for (let i = 1; i <= T; i++) {
        const g = native.generationWatch(); // what a mount compares the words with next time
        cursor = readTo(cursor, () => undefined);
        const quiet = asNumber(words) === g; // the drain itself moved nothing
        Atomics.store(ctl, 4, i);
        Atomics.notify(ctl, 4);
        while (Atomics.load(ctl, 5) < i) Atomics.wait(ctl, 5, i - 1, 1000);
        // The turn's changes happened before this line. A mount that saw the words unchanged
        // would skip its drain: it must then have nothing of this turn to miss.
        const unchanged = asNumber(words) === g;
        let tagged = 0;
        cursor = readTo(cursor, (_op, _ino, _gen, tag) => { if (tag === TAG) tagged++; });
        if (unchanged && tagged > 0) misses++;
        if (!unchanged) changed++;
        if (quiet && i % 3 !== 0) watchedOnly++; // only the turn's own changes could move them
      }
      expect(misses).toBe(0);
      expect(changed).toBeGreaterThanOrEqual((2 * T) / 3);
      expect(watchedOnly).toBeGreaterThan(0);
    } finally {
      Atomics.store(ctl, 4, T + 1);
      Atomics.notify(ctl, 4);
      Atomics.store(ctl, 1, 1);
      Atomics.notify(ctl, 1);
      await Promise.all([background.done, turns.done]);
      await Promise.all([background.worker.terminate(), turns.worker.terminate()]);
    }
  });

  test("a thread's ring that overflows before anyone reads: -1 for an old cursor, its newest ring kept, then news again", async () => {
    const cap = native.changelogCapacity;
    const ctl = newCtl();
    const big = start('burst', cap + 5000, TAG, ctl);
    const small = start('burst', 5000, 0, ctl);
    await Promise.all([big.ready, small.ready]);
    try {
      const cursor0 = native.changelogHead();
      go(ctl);
      await Promise.all([big.done, small.done]); // nobody reads meanwhile
      const out = new Uint32Array(4 * 256);
      expect(native.changelogRead(cursor0, out)).toBe(-1);
      const head = native.changelogHead();
      const ops = 2 * (cap + 5000) + 2 * 5000;
      // Lost records still count, plus one ring per loss, so every older cursor is behind.
      expect(head - cursor0).toBeGreaterThan(ops);
      expect((head - cursor0 - ops) % (cap + 1)).toBe(0);
      expect(native.devfsGeneration()).toBe(head);
      // The newest ring is intact and readable.
      expect(native.changelogRead(head - cap, out)).toBe(256);
      for (let i = 0; i < 256; i++) expect([CHANGE_INSERT, CHANGE_CLEAR]).toContain(out[4 * i]);
      // Rescan answer: continue from the head; news shows again.
      const key = native.inodeInsert();
      expect(native.changelogRead(head, out)).toBe(1);
      expect(Array.from(out.subarray(0, 4))).toEqual([CHANGE_INSERT, inoOf(key), genOf(key), 0]);
      expect(native.inodeClear(inoOf(key), genOf(key))).toBe(true);
    } finally {
      await Promise.all([big.worker.terminate(), small.worker.terminate()]);
    }
  });
});
