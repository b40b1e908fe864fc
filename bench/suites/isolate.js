'use strict';
/**
 * Issue 18: the cost of running a driver isolated (its own worker thread, reads and writes
 * forwarded through shared-memory rings, bytes in memory both threads map) against the same driver loaded in
 * process, in the same process, interleaved. The driver is examples/driver-echo, loaded by path
 * both ways:
 *  - read-64k: 64 KiB written to an echo unit and read back (one forwarded write and one
 *    forwarded read per op) — target ≥ 0.5× in process;
 *  - call-latency: one 1-byte read (the unit is refilled with 64 KiB when it runs dry, 1/65536 of
 *    the ops) — reported: what one forwarded call costs against a direct one;
 *  - read-64k-thread: the same 64 KiB ops, isolated against the driver in process on a worker
 *    thread of its own (children/echo-worker.js) — reported: the forwarding alone, without what
 *    any thread other than the main one costs this driver (its allocations come from a glibc
 *    thread arena, which returns and re-faults freed memory far more than the main one).
 */
const path = require('path');
const { Worker } = require('worker_threads');

const ECHO = path.join(__dirname, '..', '..', 'examples', 'driver-echo');
const KiB64 = 64 * 1024;

/** One open echo unit on a host loading the echo plugin `spec`. */
async function unit(core, spec, name) {
  const host = await core.createHost({ drivers: [spec], onError: (f) => { throw f.error; } });
  const m = host.kernel.mount({ name });
  const f = await m.open('echo3', 'r+');
  return { host, f };
}

async function run(ctx) {
  const rows = {
    read: { id: 'read-64k', label: 'isolated echo: 64 KiB write + read back', target: { op: '>=', value: 0.5, text: '≥ 0.5× the same driver in process', issue: 18 } },
    lat: { id: 'call-latency', label: 'isolated echo: 1-byte read round trip' },
    thread: { id: 'read-64k-thread', label: 'isolated echo ÷ in process on a worker thread: 64 KiB write + read back' },
  };
  let core;
  try {
    core = require('@devfs/core');
    require.resolve(ECHO);
  } catch (err) {
    for (const r of Object.values(rows)) ctx.skip(r, `needs the built @devfs/core and examples/driver-echo: ${err.message}`);
    return;
  }
  const inproc = await unit(core, ECHO, 'inproc');
  const iso = await unit(core, { module: ECHO, isolate: true, callTimeoutMs: 60_000 }, 'iso');
  try {
    const data = Buffer.alloc(KiB64, 0x5a);
    const back = Buffer.alloc(KiB64);
    const roundTrip = (f) => async () => {
      await f.write(data);
      if ((await f.read(back)) !== KiB64) throw new Error('short echo read');
    };
    if (!back.equals(Buffer.alloc(KiB64)) || (await roundTrip(iso.f)(), !back.equals(data))) throw new Error('isolated echo returned other bytes');
    await ctx.compare(
      { ...rows.read, params: { n: KiB64 }, opsUnit: 'MiB/s' },
      { name: 'isolated', ops: 1 / 16, body: roundTrip(iso.f) },
      { name: 'in process', ops: 1 / 16, body: roundTrip(inproc.f) },
    );
    const one = Buffer.alloc(1);
    const reader = (f) => {
      let left = 0;
      return async () => {
        if (left === 0) { await f.write(data); left = KiB64; }
        await f.read(one);
        left--;
      };
    };
    await ctx.compare(
      { ...rows.lat, params: { n: 1 }, opsUnit: 'reads/s' },
      { name: 'isolated', ops: 1, body: reader(iso.f) },
      { name: 'in process', ops: 1, body: reader(inproc.f) },
    );
    await threadRow(ctx, rows.thread, roundTrip(iso.f));
  } finally {
    for (const u of [iso, inproc]) {
      await u.f.close().catch(() => {});
      await u.host.close();
    }
  }
}

/** Row `row`: `isolated` (one 64 KiB op) against the same ops in children/echo-worker.js, 16 per message. */
async function threadRow(ctx, row, isolated) {
  const w = new Worker(path.join(__dirname, '..', 'children', 'echo-worker.js'));
  const waiters = [];
  w.on('message', () => waiters.shift()?.());
  w.on('error', (e) => { while (waiters.length) waiters.shift()(e); });
  const run = (n) => new Promise((resolve, reject) => { waiters.push((e) => (e ? reject(e) : resolve())); if (n > 0) w.postMessage(n); });
  try {
    await run(0); // loaded
    await run(64);
    const BATCH = 16;
    const many = async () => { for (let i = 0; i < BATCH; i++) await isolated(); };
    await ctx.compare(
      { ...row, params: { n: KiB64 }, opsUnit: 'MiB/s' },
      { name: 'isolated', ops: BATCH / 16, body: many },
      { name: 'in process on a worker thread', ops: BATCH / 16, body: () => run(BATCH) },
    );
  } finally {
    await w.terminate();
  }
}

module.exports = { run, rows: () => 3 };
