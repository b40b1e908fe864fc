#!/usr/bin/env node
/* Memory figures of the kernel and mounts (run with --expose-gc, after `pnpm run build:ts`):
 *   node --expose-gc packages/core/scripts/memory.js [devices=1000000] [mounts=1000] [mountDevices=10000]
 * 1. bytes per live device at N devices (heap + native inode slots), vs a bare Map of small objects;
 * 2. bytes per extra mount: M mounts sharing devfsrules_jail over D devices, each mount touched by
 *    a stat of every device, beyond a single mount. */
'use strict';
const { createKernel } = require('../dist');
if (typeof gc !== 'function') { console.error('run with node --expose-gc'); process.exit(2); }
const N = Number(process.argv[2] ?? 1e6), M = Number(process.argv[3] ?? 1000), D = Number(process.argv[4] ?? 1e4);
const heap = () => { gc(); gc(); const m = process.memoryUsage(); return { heap: m.heapUsed, rss: m.rss, ext: m.external + m.arrayBuffers }; };
const sw = { d_name: 'bench' };

const keep = [];
async function devices() {
  const k = createKernel({ memDevices: false });
  const b = heap();
  const devs = new Array(N);
  for (let i = 0; i < N; i++) devs[i] = k.make_dev(sw, i, 0, 0, 0o600, 'dev%d', i);
  await k.events.flush(); // queued REGISTER events are not part of the per-device cost
  const a = heap();
  // native inode slots: 24 bytes each (state word, free-list link, name pointer), touched lazily
  const perDev = (a.heap - b.heap - 8 * N) / N; // minus this script's own array of the devices
  const nativePerDev = (a.rss - b.rss - (a.heap - b.heap)) / N;
  const map = new Map();
  const c = heap();
  for (let i = 0; i < N; i++) map.set('dev' + i, { unit: i, mode: 0o600 });
  const d = heap();
  const mapPerEntry = (d.heap - c.heap) / N;
  keep.push(map, devs, k);
  console.log(`devices: ${N}: ${perDev.toFixed(1)} heap bytes/device (incl. name index), ~${Math.max(0, nativePerDev).toFixed(1)} native bytes/device (rss delta beyond heap); bare Map of small objects: ${mapPerEntry.toFixed(1)} bytes/entry`);
  return devs.length;
}

function mounts() {
  const k = createKernel();
  for (let i = 0; i < D; i++) k.make_dev(sw, i, 0, 0, 0o600, 'd%d', i);
  const names = []; for (let i = 0; i < D; i++) names.push('d' + i);
  const touch = (m) => { for (const n of names) { try { m.stat(n); } catch { /* hidden in the jail: ENOENT */ } } };
  const first = k.mount({ ruleset: 'devfsrules_jail', jail: true });
  touch(first);
  const b = heap();
  const ms = [];
  for (let i = 1; i < M; i++) { const m = k.mount({ ruleset: 'devfsrules_jail', jail: true }); touch(m); ms.push(m); }
  const a = heap();
  const extra = a.heap - b.heap;
  console.log(`mounts: ${M} mounts sharing devfsrules_jail over ${D} devices, each touched by a stat of every device: ${(extra / 2 ** 20).toFixed(2)} MiB beyond one mount (${(extra / (M - 1)).toFixed(0)} bytes per extra mount); target <= 64 MiB`);
  keep.push(ms, first, k);
}

devices().then(mounts);
