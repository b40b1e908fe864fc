'use strict';
/**
 * Lookup of `a/b/c/nameI` (a mount's stat) in a directory of N entries. Ours walks the namespace
 * tree with one Map probe per component; FreeBSD's devfs_find scans each directory's entry list
 * linearly. A plain Map from full path to a small object is the lower bound.
 */
const { oursWith, modelWith, short } = require('../lib/fixtures');

const BATCH = 64;
/** Issue 20's targets, ours ÷ the FreeBSD model, by directory size. */
const TARGETS = { 10: 1, 100: 1, 100000: 38 };

function sizes(quick) {
  return quick ? [10, 1e3, 1e5] : [10, 100, 1e3, 1e4, 1e5];
}

/** Names to look up, spread over the directory (so the model's scan averages N/2). */
function probes(n) {
  const out = [];
  for (let i = 0; i < BATCH; i++) out.push(`a/b/c/n${Math.floor(((i * 0.618034) % 1) * n)}`);
  return out;
}

async function run(ctx) {
  for (const n of sizes(ctx.quick)) {
    const ours = oursWith(n, 'a/b/c/', 'n');
    const mnt = ours.k.mount();
    const model = modelWith(n, 'a/b/c/', 'n');
    const mm = model.m.mount();
    mm.populateAll();
    const map = new Map();
    for (const d of ours.devs) map.set(d.si_name, { ino: d.inode, mode: d.mode, uid: d.uid, gid: d.gid });
    const names = probes(n);
    for (const name of names) {
      if (mnt.stat(name).ino !== ours.k.lookupDev(name).inode || mm.stat(name) === null) throw new Error(`lookup fixture broken at ${name}`);
    }
    const oursSide = { name: 'ours', ops: BATCH, body: () => { for (let i = 0; i < BATCH; i++) mnt.stat(names[i]); } };
    await ctx.compare(
      { id: `model-${short(n)}`, label: `lookup a/b/c/name in ${short(n)} entries`, params: { n }, series: 'vs-model', opsUnit: 'lookups/s',
        ...(TARGETS[n] ? { target: { op: '>=', value: TARGETS[n], text: `≥ ${TARGETS[n]}× the FreeBSD model`, issue: 20 } } : {}) },
      oursSide,
      { name: 'FreeBSD model', ops: BATCH, body: () => { for (let i = 0; i < BATCH; i++) mm.stat(names[i]); } },
    );
    let sink = 0;
    await ctx.compare(
      { id: `map-${short(n)}`, label: `lookup a/b/c/name vs Map.get, ${short(n)} entries`, params: { n }, series: 'vs-map', opsUnit: 'lookups/s' },
      oursSide,
      { name: 'Map', ops: BATCH, body: () => { for (let i = 0; i < BATCH; i++) sink += map.get(names[i]).ino; } },
    );
    if (sink < 0) throw new Error('unreachable');
    mnt.unmount();
    for (const d of ours.devs) ours.k.destroy_dev(d);
  }
}

module.exports = { run, rows: (quick) => sizes(quick).length * 2 };
