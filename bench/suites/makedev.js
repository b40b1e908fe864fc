'use strict';
/**
 * make_dev + destroy_dev pairs per second with N devices already registered, the new name going
 * into the same directory as the N (so ours pays for a large directory Map, as the Map baseline). Ours checks a name
 * in O(depth) through the namespace tree; FreeBSD's make_dev compares it with every device.
 * Also: ours at the largest N against ours at 1k (interleaved) — the flatness the foundation
 * issue asks for — and against a plain Map insert+delete (the honest lower bound).
 */
const { benchsw, oursWith, growOurs, modelWith, growModel, short } = require('../lib/fixtures');

const PAIRS = 50;

function oursPairs(k) {
  return () => {
    for (let i = 0; i < PAIRS; i++) {
      const d = k.make_dev(benchsw, 0, 0, 0, 0o600, 'd/probe');
      k.destroy_dev(d);
    }
  };
}

function modelPairs(m) {
  return () => {
    for (let i = 0; i < PAIRS; i++) m.destroyDev(m.makeDev('d/probe'));
  };
}

/** Sizes measured (in --quick the 1M row is left out: filling it alone takes seconds). */
function sizes(quick) {
  return quick ? [1e3, 1e5] : [1e3, 1e5, 1e6];
}

async function run(ctx) {
  const ns = sizes(ctx.quick);
  const small = oursWith(1e3);
  const smallM = modelWith(1e3);
  const big = oursWith(0);
  const bigM = modelWith(0);
  let lastOurs, lastModel;
  for (const n of ns) {
    let k = small.k, m = smallM.m;
    if (n > 1e3) {
      growOurs(big.k, big.devs, n);
      growModel(bigM.m, bigM.devs, n);
      k = big.k; m = bigM.m;
    }
    lastOurs = oursPairs(k);
    lastModel = modelPairs(m);
    await ctx.compare(
      { id: `pairs-${short(n)}`, label: `make_dev+destroy_dev @${short(n)} devices`, params: { n }, series: 'vs-model', opsUnit: 'pairs/s' },
      { name: 'ours', ops: PAIRS, body: lastOurs },
      { name: 'FreeBSD model', ops: PAIRS, body: lastModel },
    );
  }
  const top = short(ns[ns.length - 1]);
  await ctx.compare(
    { id: `flat-ours`, label: `ours @${top} ÷ ours @1k (flatness)`, params: { n: ns[ns.length - 1] }, opsUnit: 'pairs/s',
      target: { op: '>=', value: 0.5, text: '≥ 0.5× (cost independent of N)', issue: 2 } },
    { name: `ours @${top}`, ops: PAIRS, body: lastOurs },
    { name: 'ours @1k', ops: PAIRS, body: oursPairs(small.k) },
  );
  await ctx.compare(
    { id: `flat-model`, label: `model @${top} ÷ model @1k (flatness)`, params: { n: ns[ns.length - 1] }, opsUnit: 'pairs/s' },
    { name: `model @${top}`, ops: PAIRS, body: lastModel },
    { name: 'model @1k', ops: PAIRS, body: modelPairs(smallM.m) },
  );
  const map = new Map();
  for (const d of big.devs) map.set(d.si_name, { ino: d.inode, mode: d.mode });
  await ctx.compare(
    { id: `map-${top}`, label: `make_dev+destroy_dev vs Map.set+delete @${top}`, params: { n: ns[ns.length - 1] }, opsUnit: 'pairs/s',
      note: 'a V8 Map of this size under set/delete churn measured slow here; not investigated further, so read this row with care' },
    { name: 'ours', ops: PAIRS, body: lastOurs },
    { name: 'Map', ops: PAIRS, body: () => { for (let i = 0; i < PAIRS; i++) { map.set('d/probe', { ino: i, mode: 0o600 }); map.delete('d/probe'); } } },
  );
}

module.exports = { run, rows: (quick) => sizes(quick).length + 3 };
