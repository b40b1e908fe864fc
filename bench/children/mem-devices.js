'use strict';
/**
 * Heap bytes per live device (run with --expose-gc, one measurement per process):
 *   node --expose-gc children/mem-devices.js ours N FMT  → a bare kernel holding N devices named FMT
 *                                                          (printf-style: 'dev%d' or 'd/x%d')
 *   node --expose-gc children/mem-devices.js map N FMT   → a Map of the same N names → small objects
 * Prints one JSON line: { heapBytes, rssBytes, n }.
 */
const [mode, nArg, fmt = 'dev%d'] = process.argv.slice(2);
const nameOf = (i) => fmt.replace('%d', String(i));
const n = Number(nArg);
if (!global.gc) throw new Error('run with --expose-gc');

const settle = () => new Promise((r) => setImmediate(r));
const gcAll = () => { global.gc(); global.gc(); };

(async () => {
  let hold;
  let make;
  let flush = settle;
  if (mode === 'ours') {
    const core = require('@devfs/core');
    const k = core.createKernel({ memDevices: false });
    const sw = { d_name: 'bench' };
    hold = k;
    make = (i) => k.make_dev(sw, i, 0, 0, 0o600, fmt, i);
    flush = () => k.events.flush(); // queued REGISTER events are not part of a device's cost
  } else if (mode === 'map') {
    const map = new Map();
    hold = map;
    make = (i) => map.set(nameOf(i), { ino: i + 3, gen: 1, uid: 0, gid: 0, mode: 0o600 });
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
  await settle();
  gcAll();
  const h0 = process.memoryUsage();
  for (let i = 0; i < n; i++) make(i);
  await flush();
  gcAll();
  const h1 = process.memoryUsage();
  const size = mode === 'ours' ? hold.sysctl.read('kern.devfs.devices') : hold.size;
  if (size !== n) throw new Error(`expected ${n} entries, have ${size}`);
  process.stdout.write(JSON.stringify({ n, heapBytes: h1.heapUsed - h0.heapUsed, rssBytes: h1.rss - h0.rss }) + '\n');
})().catch((e) => { console.error(e); process.exit(1); });
