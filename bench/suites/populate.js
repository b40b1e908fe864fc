'use strict';
/**
 * Populate after K changes with N devices: a mount's `stat` right after K devices were created
 * (or, every other sample, destroyed again). Ours drains K change-log records; FreeBSD's
 * devfs_populate walks the whole device list once per change (O(K·N)). The K changes are
 * prepared outside the clock; only the stat (populate + lookup) is timed.
 */
const { oursWith, modelWith, short, benchsw } = require('../lib/fixtures');

function plan(quick) {
  return quick
    ? [{ k: 1, ns: [1e3, 1e4, 1e5] }, { k: 1000, ns: [1e3, 1e4] }]
    : [{ k: 1, ns: [1e3, 1e4, 1e5, 1e6] }, { k: 1000, ns: [1e3, 1e4, 1e5, 1e6] }];
}

function oursSide(k, mnt, K) {
  let made = null;
  return {
    /** Destroys what the last prep left (so the next row starts from N devices again). */
    cleanup() { if (made) for (const d of made) k.destroy_dev(d); made = null; },
    name: 'ours',
    ops: 1,
    prep() {
      if (made === null) {
        made = [];
        for (let i = 0; i < K; i++) made.push(k.make_dev(benchsw, i, 0, 0, 0o600, 'c/y%d', i)); // c/ prefix: changes never touch d/
      } else {
        for (const d of made) k.destroy_dev(d);
        made = null;
      }
    },
    op() { mnt.stat('d/x0'); },
  };
}

function modelSide(m, mnt, K) {
  let made = null;
  return {
    cleanup() { if (made) for (const c of made) m.destroyDev(c); made = null; mnt.populate(); },
    name: 'FreeBSD model',
    ops: 1,
    prep() {
      if (made === null) {
        made = [];
        for (let i = 0; i < K; i++) made.push(m.bootDevice(`c/y${i}`));
      } else {
        for (const c of made) m.destroyDev(c);
        made = null;
      }
    },
    op() { if (mnt.stat('d/x0') === null) throw new Error('model lost d/x0'); },
  };
}

async function run(ctx) {
  const p = plan(ctx.quick);
  const all = [...new Set(p.flatMap((x) => x.ns))].sort((a, b) => a - b);
  const small = new Map(); // K → the smallest kernel and its mount, kept for the flatness rows
  for (const n of all) {
    const ours = oursWith(n);
    const mnt = ours.k.mount();
    mnt.stat('d/x0');
    const model = modelWith(n);
    const mm = model.m.mount();
    mm.populateAll();
    for (const { k: K, ns } of p) {
      if (!ns.includes(n)) continue;
      // The model's K=1000 rows at 1M devices cost ~25 s per populate: two samples each, one rep.
      const heavy = K * n >= 1e8;
      const os = oursSide(ours.k, mnt, K), ms = modelSide(model.m, mm, K);
      await ctx.compareTimed(
        { id: `k${K}-${short(n)}`, label: `populate after ${K} change${K > 1 ? 's' : ''} @${short(n)}`, params: { n, k: K }, series: `k${K}`, opsUnit: 'populates/s' },
        os,
        ms,
        heavy ? { minSamples: 2, maxSamples: 2, fixedReps: [null, 1] } : {},
      );
      os.cleanup();
      ms.cleanup();
      if (n === all[0]) small.set(K, { k: ours.k, mnt });
      if (n === ns[ns.length - 1] && n !== all[0] && small.has(K)) {
        // ours at the largest N against ours at the smallest, interleaved: O(changes), not O(devices)
        const base = small.get(K);
        const a = oursSide(ours.k, mnt, K), b = oursSide(base.k, base.mnt, K);
        await ctx.compareTimed(
          {
            id: `flat-k${K}`, label: `populate after ${K}: ours @${short(n)} ÷ ours @${short(all[0])}`, params: { n, k: K }, opsUnit: 'populates/s', chartBar: false,
            target: { op: '>=', value: 0.5, text: '≥ 0.5× (cost independent of N)', issue: 3 },
          },
          { ...a, name: `ours @${short(n)}` },
          { ...b, name: `ours @${short(all[0])}` },
        );
        a.cleanup();
        b.cleanup();
      }
    }
    if (n !== all[0]) {
      mnt.unmount();
      for (const d of ours.devs) ours.k.destroy_dev(d);
    }
  }
}

module.exports = { run, rows: (quick) => plan(quick).reduce((a, x) => a + x.ns.length + 1, 0) };
