'use strict';
/**
 * Writes bench/README.md from a full run's results: how to run, what the baselines are, the
 * targets of the issues with the measured ratio and whether each is met, the charts and every
 * figure. The README is generated so the table can never drift from results/latest.json.
 */
const fs = require('fs');
const { fmtRatio, fmtSide, firstSideName } = require('./describe');
const { TITLES } = require('../suites');

const pm = (f) => (f.ratioRme !== undefined && Number.isFinite(f.ratioRme) && f.ours.opsPerSec !== undefined ? ` ±${f.ratioRme.toFixed(1)}%` : '');
const cell = (s) => String(s).replace(/\|/g, '\\|');

function targetsTable(r) {
  const rows = [];
  for (const f of r.figures.filter((x) => x.target)) {
    const measured = f.target.on === 'ours' ? fmtSide(f.ours, f.opsUnit) : `${fmtRatio(f.ratio)}${pm(f)}`;
    rows.push(`| ${f.target.issue ? `#${f.target.issue}` : ''} | ${cell(f.label)} | ${cell(f.target.text)} | ${cell(measured)} | ${f.met ? '**met**' : '**not met**'} |`);
  }
  for (const f of r.figures.filter((x) => !x.target && x.requested)) {
    rows.push(`| #${f.requested.issue} | ${cell(f.label)} | ${cell(f.requested.text)} | ${cell(`${fmtRatio(f.ratio)}${pm(f)} (ours ${fmtSide(f.ours, f.opsUnit)}; ${f.base.name} ${fmtSide(f.base, f.opsUnit)})`)} | reported |`);
  }
  for (const s of r.skipped.filter((x) => x.target)) {
    rows.push(`| ${s.target.issue ? `#${s.target.issue}` : ''} | ${cell(s.label)} | ${cell(s.target.text)} | skipped: ${cell(s.reason)} | not measured |`);
  }
  return ['| issue | figure | target | measured | |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}

function figuresTable(r, suite) {
  const figs = r.figures.filter((f) => f.suite === suite);
  const skipped = r.skipped.filter((s) => s.suite === suite);
  if (figs.length === 0 && skipped.length === 0) return '';
  const lines = ['| figure | ours | baseline | ratio |', '| --- | --- | --- | --- |'];
  for (const f of figs) {
    lines.push(`| ${cell(f.label)} | ${cell((firstSideName(f) === 'ours' ? '' : `${firstSideName(f)}: `) + fmtSide(f.ours, f.opsUnit))} | ${cell(f.base.name)}: ${cell(fmtSide(f.base, f.opsUnit))} | ${fmtRatio(f.ratio)}${pm(f)}${f.lowerIsBetter ? ' (lower is better)' : ''} |`);
  }
  for (const s of skipped) lines.push(`| ${cell(s.label)} | skipped | ${cell(s.reason)} | |`);
  const notes = figs.filter((f) => f.note).map((f) => `- ${f.label}: ${f.note}`);
  return lines.join('\n') + (notes.length ? '\n\n' + notes.join('\n') : '');
}

/** Writes the README for result `r` to `file`. */
function writeReadme(file, r) {
  const m = r.machine;
  const suites = [...new Set([...r.figures.map((f) => f.suite), ...r.skipped.map((s) => s.suite)])];
  const out = [];
  out.push(`# @devfs/bench

Benchmarks of devfs for Node.js. **Every figure is a ratio against a baseline measured in the same
process, interleaved** (A, B, A, B, …): the machines these run on are shared and noisy, so absolute
numbers are printed beside the ratios but never asserted. The performance targets named in the
issues are checked here, never in unit tests.

## Run

\`\`\`sh
pnpm run build:ts        # the suites require the built packages (packages/*/dist)
pnpm bench               # full run (~10-15 min): results/latest.json, results/*.svg, this README
pnpm bench --quick       # smoke check (< 2 min, run by .ci/run): results/quick.json, results/quick/*.svg
pnpm bench --only=populate,lookup   # some suites (writes results/only/, leaves latest.json and the README alone)
\`\`\`

A TTY shows a progress bar; otherwise each row prints a plain line. Each suite runs in its own child
process (\`node --expose-gc\`, a fresh heap). A row whose peer cannot run here (node-pty not built, no
CAP_NET_ADMIN, no \`cc\`, a driver package not built yet) prints why and is skipped — never faked.

## Baselines

- **FreeBSD model** (\`baselines/freebsd-model.js\`): FreeBSD's DEVFS algorithms kept as they are —
  \`make_dev\` checks the name against every device (\`devfs_dev_exists\`), \`devfs_populate\` walks the
  whole cdev list once per change, \`devfs_find\` scans directory lists linearly, a lookup miss calls
  every \`dev_clone\` handler, \`devfs_rules_apply\` runs every rule in order, and each cdev keeps a
  per-mount dirent array. Where the model deviates it does so in FreeBSD's favour (see the file).
  Both sides use the same compiled fnmatch for rule patterns.
- **Map**: a plain \`Map\` of small objects where that is the honest lower bound (name → device).
- **node-pty** for the pty driver, a **C program** (\`c/tapbench.c\`, built with \`cc\` at run time)
  for tap frames, for TCP through a user-space bridge (iperf3) the **same bridge in C**
  (\`c/tapbridge.c\`, same virtio-net header and offloads as ours, \`examples/tap-bridge\`) with a
  Linux bridge over veths as the ceiling, **plain \`fs\`** on the same file for vnode disks and **\`Buffer.copy\`** for malloc disks.
- **bindfs** (a C libfuse filesystem, Debian package bindfs) for the FUSE export, on the same image
  file and on a directory of as many files, with the image file itself as the ceiling. Those rows
  run \`dd\`/\`find\` as child processes with cold caches on every side (\`sync\` and
  \`echo 3 > /proc/sys/vm/drop_caches\` before each timed run); they need root and bindfs, else skip.

## Method

- Throughput rows use benchmark.js 2.1.4 deferred benchmarks: one call runs a batch of N operations
  and the figure is calls × N per second. Sides alternate for several rounds and their samples are
  pooled; ±x% is benchmark.js's relative margin of error (95%), and a ratio's ± combines both sides'.
- "populate after K changes" needs the K changes made outside the clock, which benchmark.js cannot
  do inside a cycle; those rows are clocked with \`process.hrtime\` around the timed part only and
  summarised with the same statistics (\`lib/compare.js\` \`compareTimed\`).
- Memory rows run in fresh child processes: \`heapUsed\` after \`gc()\` before and after, divided by
  the count.

## Targets from the issues

${targetsTable(r)}

`);
  for (const id of suites) {
    out.push(`## ${TITLES[id] || id}\n`);
    if (r.charts && r.charts[id]) out.push(`![${TITLES[id] || id}](${r.charts[id]})\n`);
    out.push(figuresTable(r, id) + '\n');
  }
  if (r.errors && r.errors.length) {
    out.push('## Suite errors\n');
    for (const e of r.errors) out.push(`- ${e.suite}: \`${String(e.error).split('\n')[0]}\``);
    out.push('');
  }
  out.push(`## This run

\`${r.command}\` on ${r.date.slice(0, 10)}, ${r.durationSec} s — ${m.cpu} × ${m.cpus}, ${m.memoryGiB} GiB,
${m.platform}, Node ${m.node}, load average ${m.loadavg.join(' ')} at the start and ${m.loadavgEnd.join(' ')} at
the end (a shared machine: other work was running). Commit ${m.commit || 'unknown'}. Raw figures:
[results/latest.json](results/latest.json).
`);
  fs.writeFileSync(file, out.join('\n'));
}

module.exports = { writeReadme };

// `node lib/report.js [results.json]` regenerates the README from a results file.
if (require.main === module) {
  const path = require('path');
  const file = path.resolve(process.argv[2] || path.join(__dirname, '..', 'results', 'latest.json'));
  writeReadme(path.join(__dirname, '..', 'README.md'), JSON.parse(fs.readFileSync(file, 'utf8')));
}
