'use strict';
/**
 * tap frames/s, 64 B and 1500 B frames written into one tap and read from another joined by a
 * Linux bridge, against a small C program (c/tapbench.c, built here with `cc`) doing the same with
 * plain read/write (issue 6: ≥ 0.5× the C program; issue 21, with batched readFrames/writeFrames:
 * ≥ 0.6×); then the TCP rows of tap-tcp.js (a user-space bridge carrying iperf3). Everything runs in a network namespace this
 * suite creates and always removes. Without root/CAP_NET_ADMIN, `ip`, /dev/net/tun or `cc` the
 * rows are skipped with the reason.
 */
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { execFileSync, spawn } = require('child_process');
const { which, buildC } = require('../lib/cprog');
const { runTcp, TCP_ROWS } = require('./tap-tcp');

const rowsFor = () => [64, 1500].map((size) => ({
  id: `frames-${size}`, label: `tap frames/s, ${size} B frames`, params: { n: size },
  target: { op: '>=', value: 0.6, text: '≥ 0.6× the C program', issue: 21 }, opsUnit: 'frames/s',
}));

function hostProblem() {
  if (process.platform !== 'linux') return 'not Linux';
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'not root (creating a network namespace, taps and a bridge needs CAP_NET_ADMIN)';
  if (!which('ip')) return "no 'ip' (iproute2)";
  if (!which('cc')) return "no C compiler 'cc' to build the baseline program";
  if (!fs.existsSync('/dev/net/tun')) return 'no /dev/net/tun';
  return null;
}

function runInNetns(ns, args, ctx) {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, path.join(__dirname, '..', 'children', 'tap-netns.js'), ...args], {
      cwd: path.join(__dirname, '..'), stdio: ['ignore', 'pipe', 'inherit'],
    });
    let buf = '';
    const msgs = [];
    child.stdout.on('data', (d) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        try { msgs.push(JSON.parse(line)); } catch { ctx.log(line); }
      }
    });
    child.on('error', reject);
    child.on('exit', () => resolve(msgs));
  });
}

async function run(ctx) {
  const problem = hostProblem();
  await runFrames(ctx, problem);
  if (problem) { for (let i = 0; i < TCP_ROWS; i++) ctx.skip({ id: `tcp-${i}`, label: 'bridge TCP rows' }, problem); return; }
  await runTcp(ctx);
}

async function runFrames(ctx, problem) {
  const rows = rowsFor();
  if (problem) { for (const r of rows) ctx.skip(r, problem); return; }
  const c = buildC('tapbench');
  const bin = c.bin;
  const ns = `devfs-test-bench-${crypto.randomBytes(4).toString('hex')}`;
  try {
    execFileSync('ip', ['netns', 'add', ns]);
    ctx.progress.start(`frames through a bridge in netns ${ns}`);
    const msgs = await runInNetns(ns, [bin, ctx.quick ? 'quick' : 'full'], ctx);
    const skip = msgs.find((m) => m.skip);
    if (skip) { for (const r of rows) ctx.skip(r, skip.skip); return; }
    const err = msgs.find((m) => m.error);
    if (err) throw new Error(`tap rows failed inside the namespace: ${err.error}`);
    for (const r of rows) {
      const m = msgs.find((x) => x.size === r.params.n);
      if (!m) throw new Error(`no result for ${r.label}`);
      ctx.record({ ...r, unit: 'ops/s', ours: m.ours, base: m.base, ratio: m.ratio, ratioRme: m.ratioRme, note: `${m.count} frames per sample, ${m.window} in flight` });
    }
  } finally {
    try { execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' }); } catch { /* never created */ }
    c.cleanup();
  }
}

module.exports = { run, rows: () => 2 + TCP_ROWS };
