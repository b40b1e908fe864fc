/**
 * The isolated driver's data path (src/host/isolate/fastio.ts): reads and writes on a handle's
 * shared memory travel through shared-memory rings, everything else by message. What a caller
 * must not notice: positions, counts and bytes arrive as sent, calls reach the driver in the
 * order they were made whichever path each took, a full ring falls back to messages, a driver's
 * error is that call's EIO with its reason, and a stopping worker fails the calls in flight.
 */
import * as path from 'path';
import { Worker } from 'worker_threads';
import { DevFile, Host, Mount } from '../src';
import { SpinPolicy } from '../src/host/isolate/fastio';
import { Ring, ringBytes } from '../src/host/isolate/ring';
import { hostWith, isolated } from './isolate-helpers';

type LogEntry = ['w', string, number | null] | ['r', number | null] | ['i'];
interface Report { queued: number; log: LogEntry[] }

let host: Host;
let m: Mount;
const files: DevFile[] = [];
async function open(): Promise<DevFile> {
  const f = await m.open('fio0', 'r+');
  files.push(f);
  await f.write(Buffer.from('-')); // hands the handle's shared memory to the worker (by message)
  expect(await f.read(Buffer.alloc(1))).toBe(1);
  return f;
}
const report = (f: DevFile): Promise<Report> => f.ioctl(1) as Promise<Report>;
const reset = async (f: DevFile, mode: Record<string, unknown> = {}): Promise<void> => { await f.ioctl(2, mode); };

beforeEach(async () => {
  host = await hostWith(isolated('fastio', { callTimeoutMs: 5000 }));
  expect(host.failures).toEqual([]);
  m = host.kernel.mount({ name: 'fio' });
});
afterEach(async () => {
  for (const f of files.splice(0)) await f.close().catch(() => undefined);
  await host.close();
});

describe('the data path of an isolated driver', () => {
  test('positions (null, 0, beyond 2^32, near 2^53), counts and bytes arrive as sent', async () => {
    const f = await open();
    await reset(f);
    const far = 2 ** 40 + 5, top = Number.MAX_SAFE_INTEGER - 10;
    expect(await f.write(Buffer.from('ab'))).toBe(2);
    expect(await f.write(Buffer.from('c'), 0)).toBe(1);
    expect(await f.write(Buffer.from('d'), far)).toBe(1);
    expect(await f.write(Buffer.from('e'), top)).toBe(1);
    const buf = Buffer.alloc(8);
    expect(await f.read(buf, 7)).toBe(5);
    expect(buf.subarray(0, 5).toString()).toBe('abcde');
    expect(await f.read(buf)).toBe(0);
    const r = await report(f);
    expect(r.log).toEqual([['w', 'ab', null], ['w', 'c', 0], ['w', 'd', far], ['w', 'e', top], ['r', 7], ['r', null], ['i']]);
  });

  test('calls reach the driver in the order they were made, ring and message mixed, both ways round', async () => {
    const a = await open();
    const b = await open();
    await reset(a);
    // a write (ring) then an ioctl (message) not waited for: the ioctl sees the write
    const w1 = a.write(Buffer.from('xy'));
    const r1 = report(a);
    expect(await w1).toBe(2);
    expect((await r1).queued).toBe(2);
    // an ioctl (message) then a write (ring): the ioctl does not see it
    const r2 = report(b);
    const w2 = b.write(Buffer.from('z'));
    expect((await r2).queued).toBe(2);
    await w2;
    // the same while the worker is busy, so the write is in the ring before the ioctl's message is
    // even read: the write still waits for the ioctl
    const busy = b.ioctl(4, 100);
    const r3 = report(b);
    const w3 = b.write(Buffer.from('q'));
    await busy;
    expect((await r3).queued).toBe(3);
    await w3;
    expect((await report(b)).queued).toBe(4);
    // 40 writes and ioctls over two handles, none waited for: a second write on a handle whose
    // shared memory is busy goes by message, so the paths interleave
    await reset(a);
    const issued: LogEntry[] = [];
    const calls: Promise<unknown>[] = [];
    for (let i = 0; i < 40; i++) {
      const f = i % 2 ? b : a;
      calls.push(f.write(Buffer.from(`w${i}`)));
      issued.push(['w', `w${i}`, null]);
      if (i % 3 === 0) {
        calls.push(report(f));
        issued.push(['i']);
      }
    }
    await Promise.all(calls);
    issued.push(['i']);
    expect((await report(a)).log).toEqual(issued);
  });

  test('with the worker busy, 80 reads fill the ring and go on by message; each gets its own byte, in order', async () => {
    const hs: DevFile[] = [];
    for (let i = 0; i < 80; i++) hs.push(await open());
    await reset(hs[0]);
    await hs[0].write(Buffer.from(Array.from({ length: 80 }, (_, i) => i)));
    const busy = hs[0].ioctl(4, 200); // the worker is busy 200 ms: the reads below wait in the ring
    const reads = hs.map(async (f) => {
      const one = Buffer.alloc(1);
      expect(await f.read(one)).toBe(1);
      return one[0];
    });
    // the daemon's thread is busy too while the worker answers: the answer ring fills as well
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 400);
    await busy;
    expect(await Promise.all(reads)).toEqual(Array.from({ length: 80 }, (_, i) => i));
  });

  test("a driver's throw fails that call (EIO, with its reason) through the ring too; the next calls work", async () => {
    const f = await open();
    await reset(f, { failRead: true });
    for (let i = 0; i < 3; i++) await expect(f.read(Buffer.alloc(4))).rejects.toMatchObject({ code: 'EIO', message: expect.stringMatching(/d_read is broken/) });
    await reset(f);
    expect(await f.write(Buffer.from('ok'))).toBe(2);
    expect(await f.read(Buffer.alloc(4))).toBe(2);
  });

  test('a stopping worker fails the read it holds from the ring with ENXIO', async () => {
    const f = await open();
    await reset(f, { delayMs: 1500 }); // still in flight when the close comes; the worker's detach waits for it
    const held = f.read(Buffer.alloc(4));
    const failed = expect(held).rejects.toMatchObject({ code: 'ENXIO' });
    await new Promise((r) => setTimeout(r, 50)); // deliberate: the read reaches the worker first (nothing outside shows it)
    await host.close();
    await failed;
    files.splice(0);
  });
});

describe('ring and spin policy', () => {
  test('100,000 records from another thread arrive once each, in order, with the consumer sleeping in between', async () => {
    const cap = 16, words = 2, total = 100_000;
    const sab = new SharedArrayBuffer(ringBytes(cap, words));
    const ring = new Ring(sab, 0, cap, words);
    const ringJs = path.join(__dirname, '..', 'dist', 'host', 'isolate', 'ring.js');
    const w = new Worker(`
      const { workerData } = require('worker_threads');
      const { Ring } = require(${JSON.stringify(ringJs)});
      const r = new Ring(workerData.sab, 0, ${cap}, ${words});
      for (let i = 0; i < ${total};) {
        const k = r.reserve();
        if (k < 0) { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 0.05); continue; }
        r.records[k] = i; r.records[k + 1] = i * 7;
        r.publish();
        i++;
        if (i % 1000 === 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1); // the consumer gets to sleep
      }`, { eval: true, workerData: { sab } });
    const keep = setInterval(() => undefined, 1000); // a waitAsync alone does not keep the loop alive
    let next = 0, bad = 0;
    try {
      await new Promise<void>((resolve, reject) => {
        w.once('error', reject);
        const drain = (): void => {
          for (let k = ring.peek(); k >= 0; k = ring.peek()) {
            if (ring.records[k] !== next || ring.records[k + 1] !== next * 7) bad++;
            next++;
            ring.consume();
          }
          if (next === total) resolve();
          else ring.sleep(drain);
        };
        drain();
      });
    } finally {
      clearInterval(keep);
      await w.terminate();
    }
    expect(bad).toBe(0);
    expect(next).toBe(total);
    expect(ring.size).toBe(0);
  });

  test('a few misses never stop the polling; a run of them does, skipping 1, 2, 4, 8, 16 waits; a hit resets the skip', () => {
    const p = new SpinPolicy();
    for (let i = 0; i < 100; i++) {
      expect(p.wanted()).toBe(true);
      p.result(i % 8 !== 0); // one miss in eight: a GC pause now and then
    }
    let misses = 0;
    while (p.wanted()) {
      p.result(false);
      misses++;
    }
    expect(misses).toBeGreaterThan(3); // the rate fell below one half: that miss made it skip 1 (the wanted() that ended the loop)
    expect(misses).toBeLessThan(16);
    const skipsAfterMiss = (): number => {
      let n = 0;
      while (!p.wanted()) n++;
      p.result(false);
      return n;
    };
    expect([skipsAfterMiss(), skipsAfterMiss(), skipsAfterMiss()]).toEqual([0, 2, 4]);
    expect([skipsAfterMiss(), skipsAfterMiss(), skipsAfterMiss()]).toEqual([8, 16, 16]);
    while (!p.wanted()) { /* skip */ }
    p.result(true);
    expect(p.wanted()).toBe(true);
    p.result(false);
    expect(skipsAfterMiss()).toBe(1);
  });
});
