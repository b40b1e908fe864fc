import * as fs from 'fs';
import { Worker } from 'worker_threads';
import { native, candidatePaths, inoOf, genOf } from '@devfs/native';

const ADDON = candidatePaths().find((p) => fs.existsSync(p)) as string;

/** The generation as its two words say it (low word + high word × 2^32 on this little-endian host). */
const asNumber = (w: Uint32Array): number => w[0] + w[1] * 2 ** 32;

/** Watches the words and reads the log to its head, as a mount's populate does; the watch's value. */
function drain(): number {
  const g = native.generationWatch();
  const out = new Uint32Array(4 * 1024);
  let cursor = native.changelogHead();
  for (let n; (n = native.changelogRead(cursor, out)) > 0;) cursor += n;
  return g;
}

describe('generationWords: devfs_generation read in place', () => {
  test('after a watch, every insert and clear moves every view, with no call; devfsGeneration counts each', () => {
    const a = native.generationWords();
    const b = native.generationWords();
    expect(Object.prototype.toString.call(a)).toBe('[object Uint32Array]'); // (jest's realm has its own Uint32Array)
    expect(a.length).toBe(2);
    const g0 = drain();
    expect(asNumber(a)).toBe(g0);
    expect(native.devfsGeneration()).toBe(g0);
    const key = native.inodeInsert();
    const g1 = asNumber(a); // read before any call
    expect(g1).toBeGreaterThan(g0);
    drain();
    native.inodeClear(inoOf(key), genOf(key));
    const g2 = asNumber(b);
    expect(g2).toBeGreaterThan(g1);
    expect(asNumber(a)).toBe(g2);
    expect(native.devfsGeneration()).toBe(g0 + 2);
    expect(asNumber(a)).toBe(g0 + 2);
  });

  test('without a watch the words may lag, but devfsGeneration() counts every change and brings them level', () => {
    const w = native.generationWords();
    const g0 = drain();
    const keys = Array.from({ length: 50 }, () => native.inodeInsert());
    for (const k of keys) native.inodeClear(inoOf(k), genOf(k));
    expect(asNumber(w)).toBeGreaterThan(g0); // the first change after the read moved them
    expect(asNumber(w)).toBeLessThanOrEqual(g0 + 100);
    expect(native.devfsGeneration()).toBe(g0 + 100);
    expect(asNumber(w)).toBe(g0 + 100);
  });

  test('reading the log does not watch: only generationWatch() makes the next change move the words', () => {
    const w = native.generationWords();
    drain(); // watched, then the first change moves the words and ends the watch
    const k0 = native.inodeInsert();
    native.inodeClear(inoOf(k0), genOf(k0));
    expect(native.devfsGeneration()).toBe(asNumber(w));
    const out = new Uint32Array(4 * 16);
    const head = native.changelogHead();
    expect(native.changelogRead(head, out)).toBe(0); // a plain read: no watch
    const g = asNumber(w);
    const k = native.inodeInsert();
    expect(asNumber(w)).toBe(g); // nobody watching: the writer did not sequence
    expect(native.generationWatch()).toBe(g + 1); // sequences the insert, then watches
    expect(asNumber(w)).toBe(g + 1);
    native.inodeClear(inoOf(k), genOf(k));
    expect(asNumber(w)).toBe(g + 2); // watched: this change moved them
    expect(native.changelogRead(head, out)).toBe(2);
  });

  test("a worker thread's changes move the main thread's view (one counter per process)", async () => {
    const w = native.generationWords();
    const before = drain();
    const code = `
      const { parentPort } = require('worker_threads');
      const b = require(${JSON.stringify(ADDON)});
      const v = b.generationWords();
      for (let i = 0; i < 10; i++) { const k = b.inodeInsert(); b.inodeClear(k % 16777216, Math.floor(k / 16777216)); }
      parentPort.postMessage(v[0] + v[1] * 2 ** 32);`;
    const seen = await new Promise<number>((resolve, reject) => {
      const t = new Worker(code, { eval: true });
      t.once('message', resolve);
      t.once('error', reject);
    });
    expect(seen).toBeGreaterThan(before);
    expect(asNumber(w)).toBeGreaterThanOrEqual(seen);
    expect(native.devfsGeneration()).toBe(before + 20);
    expect(asNumber(w)).toBe(before + 20);
  });
});

describe('generationStamp: ordering a thread’s own changes against the generation', () => {
  test('greater than every generation read before an own change, never greater than one read after', () => {
    const m0 = native.devfsGeneration();
    const s0 = native.generationStamp();
    expect(s0).toBeLessThanOrEqual(native.devfsGeneration());
    let last = s0;
    for (let i = 0; i < 20; i++) {
      const mark = native.devfsGeneration();
      const k = native.inodeInsert();
      const s = native.generationStamp();
      expect(s).toBeGreaterThan(mark);
      expect(s).toBeGreaterThan(last); // strictly increasing with each own change
      native.inodeClear(inoOf(k), genOf(k));
      expect(native.generationStamp()).toBe(s + 1);
      last = s + 1;
      if (i % 5 === 0) drain(); // rounds in between keep the stamp consistent
    }
    expect(native.devfsGeneration()).toBeGreaterThanOrEqual(last);
    expect(last).toBeGreaterThan(m0);
  });

  test('holds in a worker while the main thread also writes', async () => {
    const code = `
      const { parentPort } = require('worker_threads');
      const b = require(${JSON.stringify(ADDON)});
      const bad = [];
      let last = 0;
      for (let i = 0; i < 2000; i++) {
        const mark = i % 7 === 0 ? b.devfsGeneration() : -1;
        const k = b.inodeInsert();
        const s = b.generationStamp();
        if (mark >= 0 && !(s > mark)) bad.push('stamp ' + s + ' <= mark ' + mark);
        if (!(s > last)) bad.push('stamp ' + s + ' <= previous ' + last);
        last = s;
        b.inodeClear(k % 16777216, Math.floor(k / 16777216));
        last = b.generationStamp();
        if (i % 11 === 0 && b.devfsGeneration() < last) bad.push('generation below stamp');
      }
      parentPort.postMessage(bad.slice(0, 5));`;
    const t = new Worker(code, { eval: true });
    const done = new Promise<string[]>((resolve, reject) => {
      t.once('message', resolve);
      t.once('error', reject);
    });
    for (let i = 0; i < 2000; i++) {
      const k = native.inodeInsert();
      native.inodeClear(inoOf(k), genOf(k));
      if (i % 100 === 0) await new Promise((r) => setImmediate(r));
    }
    expect(await done).toEqual([]);
  });
});
