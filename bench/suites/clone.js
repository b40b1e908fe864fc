'use strict';
/**
 * A lookup miss with C clone handlers registered (a mount's stat of a name no device has). Ours
 * runs only the handlers whose prefix matches the name (here one, which declines) and then
 * fails with ENOENT; FreeBSD invokes every dev_clone handler on every miss, each checking its
 * own prefix (as dev_stdclone does). A second row times the dispatch alone (kernel.runCloners
 * against calling every handler), without the path walk and the ENOENT error ours throws; a
 * third the miss through `stat(name, cred, { throwIfNoEntry: false })`, which returns undefined
 * (as Node's fs.statSync option): a thrown exception alone costs V8 more than the model's miss.
 */
const { core, short } = require('../lib/fixtures');
const { FreeBSDModel } = require('../baselines/freebsd-model');

const BATCH = 32;
/** Issue 20's targets for a stat miss, ours ÷ the FreeBSD model, by number of cloners. */
const TARGETS = { 10: 0.3, 1000: 3 };

function counts() {
  return [10, 100, 1000];
}

async function run(ctx) {
  for (const c of counts()) {
    const k = core.createKernel({ memDevices: false });
    const m = new FreeBSDModel();
    let declined = 0;
    for (let i = 0; i < c - 1; i++) {
      const prefix = `cl${i}_`;
      k.onClone((name) => (name.startsWith(prefix) ? undefined : undefined), { prefix });
      m.addCloner((name, made) => (made === null && name.startsWith(prefix) ? null : null));
    }
    // the handler whose prefix matches the missed names: it looks and declines
    k.onClone((name) => { if (name.startsWith('tap')) declined++; return undefined; }, { prefix: 'tap' });
    m.addCloner((name, made) => { if (made === null && name.startsWith('tap')) declined++; return null; });
    const mnt = k.mount();
    const mm = m.mount();
    try { mnt.stat('tap77'); throw new Error('clone fixture: tap77 exists'); } catch (e) { if (e.code !== 'ENOENT') throw e; }
    if (mm.stat('tap77') !== null) throw new Error('model fixture: tap77 exists');
    await ctx.compare(
      { id: `miss-${short(c)}`, label: `lookup miss with ${short(c)} cloners`, params: { n: c }, series: 'vs-model', opsUnit: 'misses/s',
        ...(TARGETS[c] ? { target: { op: '>=', value: TARGETS[c], text: `≥ ${TARGETS[c]}× the FreeBSD model`, issue: 20 } } : {}) },
      {
        name: 'ours', ops: BATCH, body: () => {
          for (let i = 0; i < BATCH; i++) {
            try { mnt.stat('tap77'); } catch (e) { if (e.code !== 'ENOENT') throw e; }
          }
        },
      },
      { name: 'FreeBSD model', ops: BATCH, body: () => { for (let i = 0; i < BATCH; i++) if (mm.stat('tap77') !== null) throw new Error('model hit'); } },
    );
    // the same miss without the exception: stat(name, cred, { throwIfNoEntry: false }), as Node's fs.statSync
    const quiet = { throwIfNoEntry: false };
    await ctx.compare(
      { id: `miss-quiet-${short(c)}`, label: `lookup miss with ${short(c)} cloners, throwIfNoEntry: false`, params: { n: c }, series: 'quiet', opsUnit: 'misses/s' },
      { name: 'ours', ops: BATCH, body: () => { for (let i = 0; i < BATCH; i++) if (mnt.stat('tap77', core.ROOT, quiet) !== undefined) throw new Error('hit'); } },
      { name: 'FreeBSD model', ops: BATCH, body: () => { for (let i = 0; i < BATCH; i++) if (mm.stat('tap77') !== null) throw new Error('model hit'); } },
    );
    // the dispatch alone: which handlers run for a missed name (no path walk, no ENOENT error object)
    const cl = m.cloners;
    await ctx.compare(
      { id: `dispatch-${short(c)}`, label: `clone dispatch with ${short(c)} cloners`, params: { n: c }, series: 'dispatch', opsUnit: 'dispatches/s' },
      { name: 'ours', ops: BATCH, body: () => { for (let i = 0; i < BATCH; i++) if (k.runCloners('tap77') !== undefined) throw new Error('cloned'); } },
      {
        name: 'FreeBSD model', ops: BATCH, body: () => {
          for (let i = 0; i < BATCH; i++) {
            let made = null;
            for (let j = 0; j < cl.length; j++) { const r = cl[j]('tap77', made); if (made === null && r) made = r; }
            if (made !== null) throw new Error('cloned');
          }
        },
      },
    );
    if (declined === 0) throw new Error('the matching clone handler never ran');
    mnt.unmount();
  }
}

module.exports = { run, rows: () => counts().length * 3 };
