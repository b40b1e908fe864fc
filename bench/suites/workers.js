'use strict';
/**
 * make_dev + destroy_dev pairs from 2 worker_threads at once against 1 worker doing the same
 * total, every worker with its own kernel over the one process-global inode table. The ratio is
 * the aggregate speed-up of the second thread (at most ~2 on two idle cores; the table's atomics
 * and a shared machine take their share).
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const { Worker } = require('worker_threads');
const { which } = require('../lib/cprog');

const PER = 2000;

function start(child = 'makedev-worker.js') {
  const w = new Worker(path.join(__dirname, '..', 'children', child));
  const waiters = [];
  w.on('message', () => waiters.shift()());
  w.on('error', (e) => { while (waiters.length) waiters.shift()(e); });
  return {
    run: (n) => new Promise((resolve, reject) => { waiters.push((e) => (e ? reject(e) : resolve())); w.postMessage(n); }),
    stop: () => w.terminate(),
  };
}

async function run(ctx) {
  const a = start();
  const b = start();
  await Promise.all([a.run(PER), b.run(PER)]); // load the addon and warm both
  try {
    await ctx.compare(
      {
        id: 'two-vs-one', label: 'make_dev pairs: 2 workers ÷ 1 worker', params: { n: 2 }, opsUnit: 'pairs/s',
        finalize: (fig) => { fig.note = `${require('os').cpus().length} CPUs, load average ${require('os').loadavg()[0].toFixed(2)} at the end: the second worker competes with whatever else runs`; },
      },
      { name: '2 workers', ops: 2 * PER, body: () => Promise.all([a.run(PER), b.run(PER)]) },
      { name: '1 worker', ops: 2 * PER, body: () => a.run(2 * PER) },
    );
  } finally {
    await a.stop();
    await b.stop();
  }
  // the inode table alone (issue 18: is a shared atomic what serialises two writers?)
  const c = start('inode-worker.js');
  const d = start('inode-worker.js');
  const RAW = 50 * PER;
  await Promise.all([c.run(RAW), d.run(RAW)]);
  try {
    await ctx.compare(
      {
        id: 'table-two-vs-one', label: 'inode table insert+clear: 2 workers ÷ 1 worker', params: { n: 2 }, opsUnit: 'pairs/s',
        finalize: (fig) => { fig.note = `the bare table (no kernel): what two writers cost each other in it (per-thread free-inode caches and change logs: no shared atomic per change); load average ${require('os').loadavg()[0].toFixed(2)} at the end`; },
      },
      { name: '2 workers', ops: 2 * RAW, body: () => Promise.all([c.run(RAW), d.run(RAW)]) },
      { name: '1 worker', ops: 2 * RAW, body: () => c.run(2 * RAW) },
    );
  } finally {
    await c.stop();
    await d.stop();
  }
}

const TABLE_C = { id: 'table-c-two-vs-one', label: 'inode table from C++, threads pinned: 2 threads ÷ 1', params: { n: 2 }, opsUnit: 'pairs/s' };

/**
 * The table with neither N-API nor V8 in the way: c/inode_mt.cc linked against the addon's own
 * native/src/inode_*.cc, 1 thread against 2 threads pinned to CPUs 0 and 1 (interleaved, best of
 * each). Built with the host's `c++` at run time; skipped without one.
 */
function tableFromC(ctx) {
  if (!which('c++')) { ctx.skip(TABLE_C, "no C++ compiler 'c++' to build c/inode_mt.cc"); return; }
  const src = path.join(__dirname, '..', '..', 'native', 'src');
  const units = fs.readdirSync(src).filter((f) => /^inode_.*\.cc$/.test(f) && !f.endsWith('_napi.cc')).map((f) => path.join(src, f));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devfs-bench-inode-mt-'));
  try {
    const bin = path.join(dir, 'inode_mt');
    ctx.progress.start(TABLE_C.label);
    execFileSync('c++', ['-O2', '-std=c++17', '-pthread', `-I${src}`, '-o', bin, path.join(__dirname, '..', 'c', 'inode_mt.cc'), ...units], { stdio: ['ignore', 'ignore', 'pipe'] });
    const per = ctx.quick ? 200_000 : 1_000_000;
    const r = JSON.parse(execFileSync(bin, [String(per), ctx.quick ? '2' : '5'], { encoding: 'utf8' }));
    const side = (name, x) => ({ name, opsPerSec: x.pairsPerSec, rme: 0, cpuNsPerPair: x.cpuNsPerPair });
    ctx.record({
      ...TABLE_C, unit: 'ops/s', ours: side('2 threads', r.two), base: side('1 thread', r.one), ratio: r.two.pairsPerSec / r.one.pairsPerSec, ratioRme: 0,
      note: `CPU per pair ${r.one.cpuNsPerPair.toFixed(1)} ns alone, ${r.two.cpuNsPerPair.toFixed(1)} ns with the other thread writing (what sharing costs when both run); load average ${os.loadavg()[0].toFixed(2)}: with no idle CPU the 2-thread rate is the machine's, not the table's`,
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

module.exports = { run: async (ctx) => { await run(ctx); tableFromC(ctx); }, rows: () => 3 };
