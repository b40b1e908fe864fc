#!/usr/bin/env node
/* What a make_dev + destroy_dev pair costs the garbage collector (after `pnpm run build:ts`):
 *   node packages/core/scripts/makedev-gc.js [name=w/probe]
 * 1. bytes allocated per pair: V8 heap growth over 10,000 pairs run with no collection in the
 *    window (new space set to 128 MiB), the event queue drained between windows (nobody listens);
 * 2. collections over 2,000,000 pairs in batches of 4,000 with a macrotask between (as one worker
 *    of bench/suites/workers.js): scavenges, their total pause, mark-compacts;
 * 3. CPU per thread, from /proc/self/task/<tid>/stat, with 1 and then 2 worker_threads each
 *    running pairs for 4 s (2,000 a message; 4,000 with one, as the bench): the workers' CPU per
 *    pair, and what every other thread (V8's GC helpers, the main thread) used, as a share of it.
 * Child processes do each part (each needs its own V8 flags). Figures are CPU or bytes, not
 * time, but a busy machine still moves them: say how busy it was. */
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { Worker, isMainThread, parentPort, workerData } = require('worker_threads');

const CORE = path.join(__dirname, '..', 'dist');
const [mode, arg] = process.argv.slice(2, 4);

function pairs(k, sw, name, n) {
  for (let i = 0; i < n; i++) k.destroy_dev(k.make_dev(sw, 0, 0, 0, 0o600, name));
}

/** CPU seconds of each thread of this process. */
function threadCpu() {
  const out = {};
  for (const t of fs.readdirSync('/proc/self/task')) {
    const st = fs.readFileSync(`/proc/self/task/${t}/stat`, 'utf8');
    const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
    out[t] = (Number(f[11]) + Number(f[12])) / 100; // utime + stime, in clock ticks of 10 ms
  }
  return out;
}

async function bytes(name) {
  const v8 = require('v8');
  const k = require(CORE).createKernel({ memDevices: false });
  const sw = { d_name: 'bench' };
  for (let r = 0; r < 30; r++) { pairs(k, sw, name, 10_000); await k.events.flush(); }
  const out = [];
  for (let r = 0; r < 5; r++) {
    const before = v8.getHeapStatistics().used_heap_size;
    pairs(k, sw, name, 10_000);
    out.push((v8.getHeapStatistics().used_heap_size - before) / 10_000);
    await k.events.flush();
  }
  return out;
}

function collections(name) {
  const k = require(CORE).createKernel({ memDevices: false });
  const sw = { d_name: 'bench' };
  let left = 500;
  (function batch() {
    pairs(k, sw, name, 4000);
    if (--left > 0) setImmediate(batch);
  })();
}

function threads(name, workers) {
  return new Promise((resolve) => {
    const per = workers === 1 ? 4000 : 2000;
    const ws = Array.from({ length: workers }, () => new Worker(__filename, { workerData: name }));
    let n = 0, t0 = 0, c0 = {}, warm = 0, done = false;
    for (const w of ws) {
      w.on('message', (m) => {
        if (t0 === 0) { if (++warm === 20 * workers) { t0 = Date.now(); c0 = threadCpu(); } } else n += m;
        if (t0 !== 0 && Date.now() - t0 >= 4000) {
          if (done) return;
          done = true;
          const wall = (Date.now() - t0) / 1000, c1 = threadCpu();
          const d = Object.keys(c1).map((t) => c1[t] - (c0[t] ?? 0)).sort((a, b) => b - a);
          const work = d.slice(0, workers).reduce((a, b) => a + b, 0), other = d.slice(workers).reduce((a, b) => a + b, 0);
          Promise.all(ws.map((x) => x.terminate())).then(() => resolve({ pairsPerSec: n / wall, workerNsPerPair: 1e9 * work / n, otherShare: other / work, cpus: (work + other) / wall }));
          return;
        }
        w.postMessage(per);
      });
      w.postMessage(per);
    }
  });
}

async function main() {
  const name = mode ?? 'w/probe';
  const self = (args, flags = []) => execFileSync(process.execPath, [...flags, __filename, ...args], { encoding: 'utf8' });
  const b = JSON.parse(self(['--bytes', name], ['--min-semi-space-size=128', '--max-semi-space-size=128']));
  console.log(`'${name}': bytes per pair ${b.map((x) => x.toFixed(1)).join(', ')}`);
  const gc = self(['--collections', name], ['--trace-gc']).split('\n');
  const scav = gc.filter((l) => l.includes('Scavenge'));
  const pause = scav.reduce((s, l) => s + Number((/MB, ([\d.]+) /.exec(l) ?? [0, 0])[1]), 0);
  console.log(`2M pairs: ${scav.length} scavenges (${pause.toFixed(0)} ms), ${gc.filter((l) => l.includes('Mark-Compact')).length} mark-compacts`);
  for (const w of [1, 2]) {
    const r = JSON.parse(self(['--threads', name, String(w)]));
    console.log(`${w} worker(s): ${(r.pairsPerSec / 1000).toFixed(0)}k pairs/s, worker CPU ${r.workerNsPerPair.toFixed(0)} ns per pair, other threads ${(100 * r.otherShare).toFixed(1)}% of the workers' CPU, ${r.cpus.toFixed(2)} CPUs`);
  }
  console.log(`load average ${require('os').loadavg().map((x) => x.toFixed(2)).join(' ')}`);
}

if (!isMainThread) {
  const k = require(CORE).createKernel({ memDevices: false });
  const sw = { d_name: 'bench' };
  parentPort.on('message', (n) => { pairs(k, sw, workerData, n); parentPort.postMessage(n); });
} else if (mode === '--bytes') bytes(arg).then((r) => console.log(JSON.stringify(r)));
else if (mode === '--collections') collections(arg);
else if (mode === '--threads') threads(arg, Number(process.argv[4])).then((r) => console.log(JSON.stringify(r)));
else main();
