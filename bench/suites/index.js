'use strict';
/**
 * The suites in run order, how many rows each reports (for the progress bar), and the chart
 * each one gets. Loading this file loads no package under test (the parent stays small).
 */

const KERNEL = ['makedev', 'populate', 'lookup', 'clone', 'rules', 'open', 'memory', 'workers', 'isolate'];
const DRIVERS = ['pty', 'tap', 'disk'];
const EXPORTS = ['fuse'];

/** Ops/s series of one suite's figures, x = params.n, for a log-log chart. */
function seriesBy(figs, pick) {
  const out = new Map();
  for (const f of figs) {
    for (const [name, y] of pick(f)) {
      if (!out.has(name)) out.set(name, []);
      out.get(name).push([f.params.n, y]);
    }
  }
  return [...out].map(([name, points]) => ({ name, points, dashed: /model|Map/.test(name) }));
}

const vsModel = (f) => (f.series === 'vs-model' ? [['ours', f.ours.opsPerSec], ['FreeBSD model', f.base.opsPerSec]] : []);

/** Advantage bars: > 1 means ours is better, whichever way the unit points. */
function bars(figs) {
  return figs.filter((f) => f.chartBar !== false).map((f) => {
    const adv = f.lowerIsBetter ? 1 / f.ratio : f.ratio;
    const t = f.target && f.target.on !== 'ours' ? (f.lowerIsBetter ? 1 / f.target.value : f.target.value) : undefined;
    return { label: f.label.length > 40 ? f.label.slice(0, 39) + '…' : f.label, ratio: adv, target: t, met: f.met };
  });
}

const CHARTS = {
  makedev: (figs) => ({ kind: 'line', title: 'make_dev + destroy_dev pairs/s vs devices', xLabel: 'existing devices', yLabel: 'pairs/s', series: seriesBy(figs, vsModel) }),
  populate: (figs) => ({
    kind: 'line', title: 'populate (stat after K changes) per second', xLabel: 'devices', yLabel: 'populates/s',
    series: seriesBy(figs.filter((f) => /^k\d+$/.test(f.series || '')), (f) => [[`ours, K=${f.params.k}`, f.ours.opsPerSec], [`FreeBSD model, K=${f.params.k}`, f.base.opsPerSec]]),
  }),
  lookup: (figs) => ({
    kind: 'line', title: 'lookup of a/b/c/name per second', xLabel: 'entries in the directory', yLabel: 'lookups/s',
    series: seriesBy(figs, (f) => (f.series === 'vs-model' ? [['ours', f.ours.opsPerSec], ['FreeBSD model', f.base.opsPerSec]] : [['Map.get', f.base.opsPerSec]])),
  }),
  clone: (figs) => ({
    kind: 'line', title: 'lookup misses per second vs clone handlers', xLabel: 'registered clone handlers', yLabel: 'misses/s',
    series: seriesBy(figs, (f) => (f.series === 'vs-model'
      ? [['ours: stat miss (ENOENT)', f.ours.opsPerSec], ['FreeBSD model: lookup miss', f.base.opsPerSec]]
      : f.series === 'quiet' ? [['ours: stat miss, throwIfNoEntry: false', f.ours.opsPerSec]]
      : [['ours: dispatch only', f.ours.opsPerSec], ['FreeBSD model: dispatch only', f.base.opsPerSec]])),
  }),
  rules: (figs) => ({ kind: 'line', title: 'rule evaluations per second vs rules', xLabel: 'rules in the ruleset', yLabel: 'evaluations/s', series: seriesBy(figs, vsModel) }),
  open: (figs) => ({ kind: 'bar', title: 'open + read 1 byte + close: ours ÷ fs.promises on /dev/null', bars: bars(figs) }),
  memory: (figs) => ({ kind: 'bar', title: 'memory: ours vs baseline (× smaller)', bars: bars(figs) }),
  workers: (figs) => ({ kind: 'bar', title: 'make_dev from 2 workers ÷ 1 worker', bars: bars(figs) }),
  isolate: (figs) => ({ kind: 'bar', title: 'isolated driver ÷ the same driver in process', bars: bars(figs) }),
  pty: (figs) => ({ kind: 'bar', title: 'pty: first side ÷ second side (ours ÷ node-pty unless named)', bars: bars(figs) }),
  tap: (figs) => ({ kind: 'bar', title: 'tap frames/s: ours ÷ C read/write', bars: bars(figs) }),
  disk: (figs) => ({ kind: 'bar', title: 'disk 1 MiB sequential: ours ÷ baseline', bars: bars(figs) }),
  fuse: (figs) => ({ kind: 'bar', title: 'FUSE export: first side ÷ second side (cold caches)', bars: bars(figs) }),
};

const TITLES = {
  makedev: 'make_dev + destroy_dev', populate: 'Populate after K changes', lookup: 'Lookup', clone: 'Lookup miss with cloners',
  rules: 'Rule evaluation', open: 'open, read, close', memory: 'Memory', workers: 'worker_threads', isolate: 'Isolated drivers', pty: 'pty driver', tap: 'tap driver', disk: 'md disks', fuse: 'FUSE export',
};

/** Rows each suite reports, for the progress total (a suite's own rows() when it has one). */
function rowsOf(id, quick) {
  try {
    const m = require(`./${id}.js`);
    return typeof m.rows === 'function' ? m.rows(quick) : 1;
  } catch {
    return 1;
  }
}

module.exports = { KERNEL, DRIVERS, ALL: [...KERNEL, ...DRIVERS, ...EXPORTS], CHARTS, TITLES, rowsOf };
