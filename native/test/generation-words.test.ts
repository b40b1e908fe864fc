import * as fs from 'fs';
import { Worker } from 'worker_threads';
import { native, candidatePaths, inoOf, genOf } from '@devfs/native';

const ADDON = candidatePaths().find((p) => fs.existsSync(p)) as string;

/** The generation as its two words say it (low word + high word × 2^32 on this little-endian host). */
const asNumber = (w: Uint32Array): number => w[0] + w[1] * 2 ** 32;

describe('generationWords: devfs_generation read in place', () => {
  test('follows every insert and clear, in every view, with no call', () => {
    const a = native.generationWords();
    const b = native.generationWords();
    expect(Object.prototype.toString.call(a)).toBe('[object Uint32Array]'); // (jest's realm has its own Uint32Array)
    expect(a.length).toBe(2);
    expect(asNumber(a)).toBe(native.devfsGeneration());
    const key = native.inodeInsert();
    expect(asNumber(a)).toBe(native.devfsGeneration());
    native.inodeClear(inoOf(key), genOf(key));
    expect(asNumber(b)).toBe(native.devfsGeneration());
    expect(asNumber(a)).toBe(asNumber(b));
  });

  test("a worker thread's changes are seen in the main thread's view (one counter per process)", async () => {
    const w = native.generationWords();
    const before = asNumber(w);
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
    expect(seen).toBeGreaterThanOrEqual(before + 20);
    expect(asNumber(w)).toBeGreaterThanOrEqual(seen);
    expect(asNumber(w)).toBe(native.devfsGeneration());
  });
});
