'use strict';
/**
 * The tap rows, run INSIDE the network namespace the tap suite created (ip netns exec NS node
 * children/tap-netns.js TAPBENCH QUICK). Ours: two handles of the devfs `tap` cloner, their
 * interfaces joined by bridge br-ours. C: two `ip tuntap` interfaces joined by br-c, driven by
 * the tapbench binary. Both write frames into one tap and read them from the other, at most
 * WINDOW frames in flight; samples alternate. Prints one JSON line per row, then {done:true}.
 */
const { execFileSync, spawn } = require('child_process');
const readline = require('readline');
const fs = require('fs');
const { compareTimed } = require('../lib/compare');
const { tryRequire } = require('../lib/optional');

const [tapbench, quickArg] = process.argv.slice(2);
const quick = quickArg === 'quick';
const WINDOW = 64;
const ip = (...a) => execFileSync('ip', a, { stdio: ['ignore', 'ignore', 'pipe'] });
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
let readFrames, writeFrames; // the batch helpers of @devfs/drivers-tap (loaded below)

function bridge(name, ports) {
  ip('link', 'add', name, 'type', 'bridge', 'forward_delay', '0', 'stp_state', '0');
  for (const p of ports) {
    ip('link', 'set', p, 'master', name);
    ip('link', 'set', p, 'up');
  }
  ip('link', 'set', name, 'up');
}

function frame(size) {
  const f = Buffer.alloc(size, 0xab);
  Buffer.from('02000000000202000000000188b5', 'hex').copy(f);
  return f;
}

/**
 * Our side: write `count` frames into fa, read them from fb, in batches (writeFrames/readFrames:
 * one native call moves up to WINDOW frames), at most WINDOW in flight.
 */
function oursRun(fa, fb, size, count) {
  const f = frame(size);
  const sendList = new Array(WINDOW).fill(f);
  const bufs = Array.from({ length: WINDOW }, () => Buffer.alloc(2048));
  let sent = 0, recv = 0, wake = null, last = Date.now();
  return new Promise((resolve, reject) => {
    const watchdog = setInterval(() => {
      if (Date.now() - last > 2000) { clearInterval(watchdog); reject(new Error(`ours: frames lost (${recv} of ${count} arrived)`)); }
    }, 250);
    (async () => {
      while (recv < count) {
        const lens = await readFrames(fb, bufs);
        for (let i = 0; i < lens.length; i++) {
          if (lens[i] === size && bufs[i][12] === 0x88 && bufs[i][13] === 0xb5) recv++;
        }
        last = Date.now();
        if (wake) { const w = wake; wake = null; w(); }
      }
      clearInterval(watchdog);
      resolve(recv);
    })().catch(reject);
    (async () => {
      while (sent < count) {
        const room = Math.min(WINDOW - (sent - recv), count - sent);
        if (room <= 0) { await new Promise((r) => { wake = r; }); continue; }
        sent += await writeFrames(fa, room === WINDOW ? sendList : sendList.slice(0, room));
      }
    })().catch(reject);
  });
}

/** The C side: one RUN command to the tapbench process. */
function cRunner(proc) {
  const lines = readline.createInterface({ input: proc.stdout });
  const waiting = [];
  lines.on('line', (l) => { const w = waiting.shift(); if (w) w(l); });
  const next = () => new Promise((r) => waiting.push(r));
  return {
    ready: next(),
    run: async (size, count) => {
      const p = next();
      proc.stdin.write(`RUN ${size} ${count} ${WINDOW}\n`);
      const l = await p;
      const m = /^DONE (\d+) (\d+)$/.exec(l);
      if (!m) throw new Error(`tapbench said: ${l}`);
      if (Number(m[1]) !== count) throw new Error(`C: frames lost (${m[1]} of ${count} arrived)`);
      return count;
    },
  };
}

(async () => {
  for (const f of ['all', 'default']) {
    try { fs.writeFileSync(`/proc/sys/net/ipv6/conf/${f}/disable_ipv6`, '1'); } catch { /* no IPv6: fine */ }
  }
  const core = require('@devfs/core');
  const tapMod = tryRequire('@devfs/drivers-tap', 'drivers-tap');
  if (!tapMod.mod || typeof tapMod.mod.TapDriver !== 'function') { out({ skip: tapMod.reason || '@devfs/drivers-tap exports no TapDriver' }); return; }
  const { TapDriver, TAPGIFNAME } = tapMod.mod;
  ({ readFrames, writeFrames } = tapMod.mod);
  const kernel = core.createKernel();
  const driver = new TapDriver(kernel);
  driver.attach();
  if (driver.unavailable) { out({ skip: `tap driver unavailable: ${driver.unavailable.message}` }); return; }
  const dev = kernel.mount();
  const fa = await dev.open('tap', 'r+');
  const fb = await dev.open('tap', 'r+');
  const na = await fa.ioctl(TAPGIFNAME), nb = await fb.ioctl(TAPGIFNAME);
  bridge('br-ours', [na, nb]);
  ip('tuntap', 'add', 'dev', 'tapc0', 'mode', 'tap');
  ip('tuntap', 'add', 'dev', 'tapc1', 'mode', 'tap');
  const proc = spawn(tapbench, ['tapc0', 'tapc1'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const c = cRunner(proc);
  if ((await c.ready) !== 'READY') throw new Error('tapbench did not start');
  bridge('br-c', ['tapc0', 'tapc1']);
  // both paths forward before anything is timed (bridge ports come up asynchronously)
  for (let i = 0; ; i++) {
    try { await Promise.race([oursRun(fa, fb, 64, 10), new Promise((_, j) => setTimeout(() => j(new Error('not yet')), 500))]); break; } catch (e) { if (i > 10) throw e; }
  }
  await c.run(64, 10);
  const count = quick ? 10000 : 50000;
  for (const size of [64, 1500]) {
    const r = await compareTimed(
      { name: 'ours', ops: count, prep() {}, op: () => oursRun(fa, fb, size, count) },
      { name: 'C read/write', ops: count, prep() {}, op: () => c.run(size, count) },
      { minSamples: 3, maxSamples: quick ? 3 : 8, budget: quick ? 1 : 6, fixedReps: 1, warmup: true },
    );
    out({ size, count, window: WINDOW, ...r });
  }
  proc.stdin.end();
  await fa.close();
  await fb.close();
  await driver.detach();
  out({ done: true });
})().then(() => process.exit(0), (e) => { out({ error: (e && e.stack) || String(e) }); process.exit(1); });
