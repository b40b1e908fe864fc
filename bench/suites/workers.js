'use strict';
/**
 * make_dev + destroy_dev pairs from 2 worker_threads at once against 1 worker doing the same
 * total, every worker with its own kernel over the one process-global inode table. The ratio is
 * the aggregate speed-up of the second thread (at most ~2 on two idle cores; the table's atomics
 * and a shared machine take their share).
 */
const path = require('path');
const { Worker } = require('worker_threads');

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
        finalize: (fig) => { fig.note = `the bare table (no kernel): what its shared atomics (free stack head, generation, change-log tail) cost two writers; load average ${require('os').loadavg()[0].toFixed(2)} at the end`; },
      },
      { name: '2 workers', ops: 2 * RAW, body: () => Promise.all([c.run(RAW), d.run(RAW)]) },
      { name: '1 worker', ops: 2 * RAW, body: () => c.run(2 * RAW) },
    );
  } finally {
    await c.stop();
    await d.stop();
  }
}

module.exports = { run, rows: () => 2 };
