'use strict';
/**
 * Heap bytes per extra mount (run with --expose-gc):
 *   node --expose-gc children/mem-mounts.js ours M D   → D devices, M jail mounts with
 *     devfsrules_jail, each touched by a stat of every device
 *   node --expose-gc children/mem-mounts.js model M D  → the FreeBSD model, M populated mounts
 * Devices: 90% pts/N (visible in a jail), 10% mdN (hidden by the ruleset: stat → ENOENT).
 * Prints one JSON line: { single, extraMounts, extraBytes, perMount }.
 */
const path = require('path');
const [mode, mArg, dArg] = process.argv.slice(2);
const M = Number(mArg), D = Number(dArg);
if (!global.gc) throw new Error('run with --expose-gc');
const settle = () => new Promise((r) => setImmediate(r));
const gcAll = () => { global.gc(); global.gc(); };
const names = [];
for (let i = 0; i < D; i++) names.push(i % 10 === 9 ? `md${i}` : `pts/${i}`);

(async () => {
  const mounts = [];
  let flush = settle;
  let touch;
  let newMount;
  if (mode === 'ours') {
    const core = require('@devfs/core');
    const k = core.createKernel({ memDevices: false });
    const sw = { d_name: 'bench' };
    for (const n of names) k.make_dev(sw, 0, 0, 0, 0o600, n);
    newMount = () => k.mount({ ruleset: 'devfsrules_jail', jail: true });
    flush = () => k.events.flush(); // deliver queued REGISTER/LOOKUP events (a bounded queue)
    touch = (m) => {
      let visible = 0;
      for (const n of names) {
        try { m.stat(n); visible++; } catch (e) { if (e.code !== 'ENOENT') throw e; }
      }
      if (visible !== D - Math.floor(D / 10)) throw new Error(`jail mount shows ${visible} devices`);
    };
  } else if (mode === 'model') {
    const { FreeBSDModel } = require(path.join(__dirname, '..', 'baselines', 'freebsd-model.js'));
    const model = new FreeBSDModel();
    for (const n of names) model.bootDevice(n);
    newMount = () => model.mount(0);
    touch = (m) => m.populateAll();
  } else throw new Error(`unknown mode ${mode}`);
  const first = newMount();
  touch(first);
  mounts.push(first);
  await flush();
  gcAll();
  const h1 = process.memoryUsage().heapUsed;
  for (let j = 1; j < M; j++) {
    const m = newMount();
    touch(m);
    mounts.push(m);
  }
  await flush();
  gcAll();
  const h2 = process.memoryUsage().heapUsed;
  process.stdout.write(JSON.stringify({ mounts: mounts.length, devices: D, extraMounts: M - 1, extraBytes: h2 - h1, perMount: (h2 - h1) / (M - 1) }) + '\n');
})().catch((e) => { console.error(e); process.exit(1); });
