#!/usr/bin/env node
'use strict';
/**
 * devfs benchmark runner: `pnpm bench` (full; writes results/latest.json, results/*.svg and the
 * README tables) or `pnpm bench --quick` (smoke check under two minutes; writes
 * results/quick.json and results/quick/*.svg only). `--only=a,b` runs some suites and writes
 * results/only/ (latest.json and charts), leaving the full run's files and the README alone.
 * Each suite runs in its own child process; every figure is a ratio against a baseline measured
 * in the same process, interleaved.
 */
const fs = require('fs');
const path = require('path');
const { fork } = require('child_process');
const { Progress } = require('./lib/progress');
const { machineInfo } = require('./lib/machine');
const { lineChart, barChart } = require('./lib/svg');
const { describe } = require('./lib/describe');
const suites = require('./suites');
const { writeReadme } = require('./lib/report');

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyArg = args.find((a) => a.startsWith('--only='));
const only = onlyArg ? onlyArg.slice(7).split(',').filter(Boolean) : null;
if (args.includes('--help')) {
  console.log('usage: pnpm bench [--quick] [--only=' + suites.ALL.join(',') + ']');
  process.exit(0);
}
const unknown = (only || []).filter((s) => !suites.ALL.includes(s));
if (unknown.length) {
  console.error(`bench: unknown suite(s) ${unknown.join(', ')}; known: ${suites.ALL.join(', ')}`);
  process.exit(2);
}
const chosen = suites.ALL.filter((s) => !only || only.includes(s));
const resultsDir = path.join(__dirname, 'results');
const chartDir = quick ? path.join(resultsDir, 'quick') : only ? path.join(resultsDir, 'only') : resultsDir;
const outFile = quick ? path.join(resultsDir, 'quick.json') : only ? path.join(chartDir, 'latest.json') : path.join(resultsDir, 'latest.json');
/** Per-suite time limit: a hang is reported as a failure instead of eating the CI budget. */
const SUITE_LIMIT_MS = (quick ? 110 : 600) * 1000;

function runSuite(id, progress, sink) {
  return new Promise((resolve) => {
    const child = fork(path.join(__dirname, 'lib', 'suite-child.js'), [id, ...(quick ? ['--quick'] : [])], {
      execArgv: ['--expose-gc', '--max-old-space-size=6144'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let error = null;
    let done = false;
    const timer = setTimeout(() => {
      error = `suite '${id}' exceeded ${SUITE_LIMIT_MS / 1000} s and was stopped`;
      child.kill('SIGKILL');
    }, SUITE_LIMIT_MS);
    child.on('message', (m) => {
      if (m.type === 'start') progress.start(`${id}: ${m.label}`);
      else if (m.type === 'figure') { sink.figures.push(m.fig); progress.tick(); progress.log(describe(m.fig)); }
      else if (m.type === 'skip') { sink.skipped.push(m.skip); progress.tick(); progress.log(`  SKIP ${m.skip.label}: ${m.skip.reason}`); }
      else if (m.type === 'log') progress.log(`  ${m.line}`);
      else if (m.type === 'error') error = m.message;
      else if (m.type === 'done') done = true;
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (!done && !error) error = `suite '${id}' exited (${signal || code}) before finishing`;
      resolve(error);
    });
  });
}

function writeCharts(figures) {
  fs.mkdirSync(chartDir, { recursive: true });
  const written = {};
  for (const id of chosen) {
    const figs = figures.filter((f) => f.suite === id);
    if (figs.length === 0 || !suites.CHARTS[id]) continue;
    const spec = suites.CHARTS[id](figs);
    const svg = spec.kind === 'line' ? lineChart(spec) : barChart(spec);
    if (!svg) continue;
    const file = path.join(chartDir, `${id}.svg`);
    fs.writeFileSync(file, svg);
    written[id] = path.relative(__dirname, file);
  }
  return written;
}

(async () => {
  const t0 = Date.now();
  const total = chosen.reduce((a, id) => a + suites.rowsOf(id, quick), 0);
  const progress = new Progress(total);
  const machine = machineInfo();
  console.log(`devfs bench ${quick ? '--quick ' : ''}on ${machine.cpu} ×${machine.cpus}, ${machine.node}, load ${machine.loadavg.join(' ')}`);
  const sink = { figures: [], skipped: [] };
  const errors = [];
  for (const id of chosen) {
    progress.log(`== ${suites.TITLES[id] || id}`);
    const err = await runSuite(id, progress, sink);
    if (err) {
      errors.push({ suite: id, error: err });
      progress.log(`  ERROR in suite ${id}:\n${err}`);
    }
  }
  progress.end();
  const charts = writeCharts(sink.figures);
  const result = {
    date: new Date().toISOString(),
    command: `pnpm bench${quick ? ' --quick' : ''}${only ? ` --only=${only.join(',')}` : ''}`,
    quick,
    durationSec: Math.round((Date.now() - t0) / 1000),
    machine: { ...machine, loadavgEnd: require('os').loadavg().map((x) => Math.round(x * 100) / 100) },
    figures: sink.figures,
    skipped: sink.skipped,
    errors,
    charts,
  };
  fs.mkdirSync(resultsDir, { recursive: true });
  fs.writeFileSync(outFile, JSON.stringify(result, null, 2) + '\n');
  if (!quick && !only) writeReadme(path.join(__dirname, 'README.md'), result);
  const met = sink.figures.filter((f) => f.met === true).length;
  const notMet = sink.figures.filter((f) => f.met === false).length;
  console.log(`bench: ${sink.figures.length} figures (${met} targets met, ${notMet} not met), ${sink.skipped.length} skipped, ${errors.length} suite errors, ${result.durationSec} s → ${path.relative(process.cwd(), outFile)}`);
  process.exit(errors.length ? 1 : 0);
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
