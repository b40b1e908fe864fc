'use strict';
/**
 * A lookup miss with C clone handlers registered (a mount's stat of a name no device has). Ours
 * runs only the handlers whose prefix matches the name (here one, which declines) and then
 * fails with ENOENT; FreeBSD invokes every dev_clone handler on every miss, each checking its
 * own prefix (as dev_stdclone does).
 *
 * Both sides of a row keep one contract. `miss-N` is the fs-style call (as fs.statSync): a miss
 * throws an ENOENT error with Node's system-error shape on both sides — the model's lookup
 * returns null and its stat wrapper throws the cheapest such error there is (no stack, message
 * formatted only when read, ModelENOENT below). V8's throw itself (locating the throw, unwinding)
 * costs several times the model's whole miss, whatever is thrown, so a throwing side against a
 * sentinel-returning side would time the exception, not the lookup. `miss-quiet-N` is the
 * sentinel contract on both sides: ours through `stat(name, cred, { throwIfNoEntry: false })`
 * (undefined) against the model's null. A third row times the dispatch alone
 * (kernel.runCloners against calling every handler), without the path walk.
 */
const { core, short } = require('../lib/fixtures');
const { FreeBSDModel } = require('../baselines/freebsd-model');

const BATCH = 32;

/**
 * The model's ENOENT as an fs-style API surfaces it: Node's system-error shape (code, errno,
 * syscall, path, message; instanceof Error), built the cheapest way — fields set directly, no
 * stack captured, the message formatted only when read.
 */
function ModelENOENT(syscall, path) {
  this.code = 'ENOENT';
  this.errno = -2;
  this.syscall = syscall;
  this.path = path;
}
ModelENOENT.prototype = Object.create(Error.prototype, {
  constructor: { value: ModelENOENT, writable: true, configurable: true },
  name: { value: 'Error', writable: true, configurable: true },
  message: { get() { return `ENOENT: no such file or directory, ${this.syscall} '${this.path}'`; }, configurable: true },
});

/** The model's stat with Node's contract: the attributes, or an ENOENT thrown. */
function modelStat(mm, path) {
  const st = mm.stat(path);
  if (st === null) throw new ModelENOENT('stat', path);
  return st;
}
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
    try { modelStat(mm, 'tap77'); throw new Error('model fixture: no throw'); } catch (e) { if (!(e instanceof Error) || e.code !== 'ENOENT' || !e.message.includes('tap77')) throw e; }
    await ctx.compare(
      { id: `miss-${short(c)}`, label: `lookup miss with ${short(c)} cloners`, params: { n: c }, series: 'vs-model', opsUnit: 'misses/s',
        note: 'both sides throw ENOENT (fs-style stat); the model wraps its null in the cheapest system-shaped error (see suites/clone.js)',
        ...(TARGETS[c] ? { target: { op: '>=', value: TARGETS[c], text: `≥ ${TARGETS[c]}× the FreeBSD model`, issue: 20 } } : {}) },
      {
        name: 'ours', ops: BATCH, body: () => {
          for (let i = 0; i < BATCH; i++) {
            try { mnt.stat('tap77'); } catch (e) { if (e.code !== 'ENOENT') throw e; }
          }
        },
      },
      {
        name: 'FreeBSD model', ops: BATCH, body: () => {
          for (let i = 0; i < BATCH; i++) {
            try { modelStat(mm, 'tap77'); } catch (e) { if (e.code !== 'ENOENT') throw e; }
          }
        },
      },
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
