#!/usr/bin/env node
'use strict';
// Inode-table complexity figures: insert+clear pairs per second with 1,000 and with 1,000,000 live
// inodes (the cost must not depend on how many exist), and resident bytes per live slot.
// Usage: node native/scripts/complexity.js   (DEVFS_NATIVE_PATH=... to pick another build)
// Not a test and not the benchmark suite: it prints figures for native/README.md.
const fs = require('fs');
const path = require('path');

const candidates = [
  process.env.DEVFS_NATIVE_PATH,
  path.join(__dirname, '..', 'build', 'Release', 'devfs_native.node'),
].filter(Boolean);
const addonPath = candidates.find((p) => fs.existsSync(p));
if (!addonPath) throw new Error(`no built addon; tried ${candidates.join(', ')}`);
const native = require(addonPath);

const SPAN = 2 ** 24;
const MILLION = 1_000_000;
const PAIRS = 2_000_000;

/** Insert+clear pairs per second, measured over `pairs` pairs. */
function pairsPerSecond(pairs) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < pairs; i++) {
    const k = native.inodeInsert();
    native.inodeClear(k % SPAN, Math.floor(k / SPAN));
  }
  return pairs / (Number(process.hrtime.bigint() - t0) / 1e9);
}

/** Inserts until `keys[0..n)` are live, returns seconds taken. */
function fill(keys, from, n, tag, name) {
  const t0 = process.hrtime.bigint();
  for (let i = from; i < n; i++) {
    keys[i] = native.inodeInsert(tag, name);
    if (keys[i] === 0) throw new Error('table full');
  }
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

function clearAll(keys, n) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    if (!native.inodeClear(keys[i] % SPAN, Math.floor(keys[i] / SPAN))) throw new Error('clear refused');
  }
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

const rss = () => process.memoryUsage().rss;
const keys = new Float64Array(MILLION).fill(0); // touched now, so it is not counted below
const fmt = (x) => Math.round(x).toLocaleString('en-US');

fill(keys, 0, 1000);
pairsPerSecond(200_000); // warm up; also touches the whole change-log ring once
const at1k = pairsPerSecond(PAIRS);

global.gc && global.gc();
const rss0 = rss();
const tInsert = fill(keys, 1000, MILLION);
const rss1 = rss();
const at1M = pairsPerSecond(PAIRS);
const tClear = clearAll(keys, MILLION);

// Foreign slots also keep a 64-byte name cell (a separate lazily mapped array).
const FOREIGN = 100_000;
const rss2 = rss();
fill(keys, 0, FOREIGN, 1, 'tap-bench');
const rss3 = rss();
clearAll(keys, FOREIGN);

console.log(`node ${process.version}, addon ${addonPath}`);
console.log(`insert+clear pairs/s with 1,000 live:      ${fmt(at1k)}`);
console.log(`insert+clear pairs/s with 1,000,000 live:  ${fmt(at1M)}  (ratio ${(at1M / at1k).toFixed(2)})`);
console.log(`1,000,000 inserts: ${tInsert.toFixed(3)} s; 1,000,000 clears: ${tClear.toFixed(3)} s`);
console.log(`bytes per live kernel slot (RSS delta / 999,000):  ${((rss1 - rss0) / (MILLION - 1000)).toFixed(1)}`);
console.log(`bytes per live foreign slot (RSS delta / 100,000): ${((rss3 - rss2) / FOREIGN).toFixed(1)}`);
console.log(`live after: ${native.inodeLiveCount()}, generation: ${native.devfsGeneration()}`);
