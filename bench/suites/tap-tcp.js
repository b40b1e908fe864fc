'use strict';
/**
 * The TCP rows of the tap suite (issue 21): iperf3 TCP from namespace A to namespace B through a
 * bridge between them, every side set up fresh per sample in namespaces this module creates and
 * always removes (A, B, and M where the bridge programs run):
 *  - ours: examples/tap-bridge/bridge.js (a tap in A and one in B, frames copied by the devfs tap
 *    driver with readFrames/writeFrames), offloads on (virtio-net header, csum/TSO) and off;
 *  - C: c/tapbridge.c, the same bridge with plain poll/read/write and the same offload settings;
 *  - the kernel: veth A↔M and B↔M joined by a Linux bridge in M — the ceiling.
 * Rows: bridge-tcp (ours ÷ C, offloads on; target ≥ 0.7×), offload-gain (ours on ÷ ours off;
 * target ≥ 3×) and bridge-ceiling (ours ÷ the kernel bridge; reported). Gbit/s are iperf3's
 * receiver figures. Without iperf3 the rows are skipped with the reason.
 */
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const readline = require('readline');
const { execFileSync, spawn } = require('child_process');
const { which, buildC } = require('../lib/cprog');
const { summarize } = require('../lib/stats');

const BRIDGE_JS = path.join(__dirname, '..', '..', 'examples', 'tap-bridge', 'bridge.js');
const ADDR_A = '10.210.0.1';
const ADDR_B = '10.210.0.2';

const ROWS = [
  { id: 'bridge-tcp', label: 'bridge TCP, offloads on: ours vs C', target: { op: '>=', value: 0.7, text: '≥ 0.7× the C bridge', issue: 21 } },
  { id: 'offload-gain', label: 'bridge TCP: ours offloads on ÷ off', target: { op: '>=', value: 3, text: '≥ 3× ours without offloads', issue: 21 } },
  { id: 'bridge-ceiling', label: 'bridge TCP: ours vs kernel bridge' },
].map((r) => ({ ...r, opsUnit: 'Gbit/s', params: {} }));

const ip = (...a) => execFileSync('ip', a, { stdio: ['ignore', 'ignore', 'pipe'] });

/** CPU seconds (user + system, all threads) process `pid` has used; `ip netns exec` execs in place. */
function cpuSeconds(pid) {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').slice(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // fields 14 and 15 (utime, stime) in clock ticks
}

/** Gives the two endpoint interfaces their addresses and brings them up. */
function address(ns, ifA, ifB) {
  ip('-n', ns.a, 'addr', 'add', `${ADDR_A}/24`, 'dev', ifA);
  ip('-n', ns.b, 'addr', 'add', `${ADDR_B}/24`, 'dev', ifB);
  ip('-n', ns.a, 'link', 'set', ifA, 'up');
  ip('-n', ns.b, 'link', 'set', ifB, 'up');
}

/** Starts a bridge program in M; resolves with { stop } once its first line named the taps. */
function startProgram(ns, cmd, args, parse) {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', ns.m, ...cmd, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
    const exited = new Promise((r) => child.on('exit', r));
    const stop = async () => { child.kill('SIGTERM'); child.stdin.end(); await exited; };
    const lines = readline.createInterface({ input: child.stdout });
    lines.once('line', (l) => {
      try {
        const [ifA, ifB] = parse(l);
        address(ns, ifA, ifB);
        resolve({ stop, cpu: () => cpuSeconds(child.pid) });
      } catch (err) { void stop(); reject(new Error(`${cmd.join(' ')}: ${err.message} (said: ${l})`)); }
    });
    child.on('error', reject);
    void exited.then((code) => reject(new Error(`${cmd.join(' ')} exited (${code}) before it was ready`)));
  });
}

function startOurs(ns, offloads) {
  return startProgram(ns, [process.execPath, BRIDGE_JS], ['--a', `/run/netns/${ns.a}`, '--b', `/run/netns/${ns.b}`, ...(offloads ? ['--offloads'] : [])],
    (l) => { const m = JSON.parse(l); if (!m.ready) throw new Error('not ready'); return [m.a, m.b]; });
}

function startC(ns, bin) {
  return startProgram(ns, [bin], [`/run/netns/${ns.a}`, `/run/netns/${ns.b}`, 'offloads'],
    (l) => { const m = /^READY (\S+) (\S+)$/.exec(l); if (!m) throw new Error('not ready'); return [m[1], m[2]]; });
}

/** The kernel bridge: veth pairs A↔M and B↔M on a Linux bridge in M. */
async function startKernel(ns) {
  ip('-n', ns.m, 'link', 'add', 'brk', 'type', 'bridge', 'forward_delay', '0', 'stp_state', '0');
  for (const [side, peer] of [[ns.a, 'vka'], [ns.b, 'vkb']]) {
    ip('-n', ns.m, 'link', 'add', `${peer}m`, 'type', 'veth', 'peer', 'name', peer, 'netns', side);
    ip('-n', ns.m, 'link', 'set', `${peer}m`, 'master', 'brk', 'up');
  }
  ip('-n', ns.m, 'link', 'set', 'brk', 'up');
  address(ns, 'vka', 'vkb');
  return { cpu: () => NaN, stop: async () => { ip('-n', ns.m, 'link', 'del', 'brk'); ip('-n', ns.m, 'link', 'del', 'vkam'); ip('-n', ns.m, 'link', 'del', 'vkbm'); } };
}

function run(cmd, args, timeoutMs) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => { clearTimeout(t); resolve({ code, out, err }); });
    child.on('error', reject);
  });
}

/** iperf3 TCP A → B for `seconds`; resolves with the receiver's Gbit/s and GB. */
async function iperf(ns, seconds) {
  const server = spawn('ip', ['netns', 'exec', ns.b, 'iperf3', '-s', '-1', '-B', ADDR_B], { stdio: 'ignore' });
  try {
    for (let i = 0; ; i++) {
      const r = await run('ip', ['netns', 'exec', ns.a, 'iperf3', '-c', ADDR_B, '-t', String(seconds), '-J'], (seconds + 20) * 1000);
      let j;
      try { j = JSON.parse(r.out); } catch { j = { error: r.err || r.out }; }
      if (!j.error && j.end && j.end.sum_received) return { gbps: j.end.sum_received.bits_per_second / 1e9, gb: j.end.sum_received.bytes / 1e9 };
      if (i >= 30) throw new Error(`iperf3: ${j.error}`);
      await new Promise((res) => setTimeout(res, 100)); // server not listening yet, or the link not up
    }
  } finally {
    server.kill('SIGKILL');
  }
}

const side = (name, xs) => { const s = summarize(xs); return { name, opsPerSec: s.mean, rme: s.rme, samples: s.n }; };

/**
 * Measures the rows, sides interleaved round by round (ours on, C, ours off, kernel), a fresh
 * setup per sample. quick: 1 round of 1 s; full: 3 rounds of 4 s.
 */
async function runTcp(ctx) {
  const problem = !which('iperf3') ? "no 'iperf3' (Debian package iperf3; .ci/run installs it)" : null;
  if (problem) { for (const r of ROWS) ctx.skip(r, problem); return; }
  const c = buildC('tapbridge');
  if (c.skip) { for (const r of ROWS) ctx.skip(r, c.skip); return; }
  const tag = crypto.randomBytes(3).toString('hex');
  const ns = { a: `devfs-bench-a-${tag}`, b: `devfs-bench-b-${tag}`, m: `devfs-bench-m-${tag}` };
  const rounds = ctx.quick ? 1 : 3;
  const seconds = ctx.quick ? 1 : 4;
  const sides = [
    { name: 'ours, offloads on', start: () => startOurs(ns, true), xs: [], cpu: 0, gb: 0 },
    { name: 'C bridge, offloads on', start: () => startC(ns, c.bin), xs: [], cpu: 0, gb: 0 },
    { name: 'ours, offloads off', start: () => startOurs(ns, false), xs: [], cpu: 0, gb: 0 },
    { name: 'kernel bridge', start: () => startKernel(ns), xs: [], cpu: 0, gb: 0 },
  ];
  try {
    for (const n of Object.values(ns)) ip('netns', 'add', n);
    for (const n of Object.values(ns)) ip('-n', n, 'link', 'set', 'lo', 'up');
    ctx.progress.start(`iperf3 TCP through bridges between netns ${ns.a} and ${ns.b}`);
    for (let r = 0; r < rounds; r++) {
      for (const s of sides) {
        const h = await s.start();
        try {
          const c0 = h.cpu();
          const r = await iperf(ns, seconds);
          s.cpu += h.cpu() - c0;
          s.gb += r.gb;
          s.xs.push(r.gbps);
        } finally { await h.stop(); }
      }
    }
    const [on, cOn, off, kern] = sides.map((s) => side(s.name, s.xs));
    const note = `iperf3 -t ${seconds}, ${rounds} sample(s) per side, A → B through the bridge`;
    const pair = (row, o, b, extra = '') => ctx.record({ ...row, unit: 'ops/s', ours: o, base: b, ratio: o.opsPerSec / b.opsPerSec, ratioRme: Math.sqrt(o.rme ** 2 + b.rme ** 2), note: note + extra });
    // CPU per GB of the bridge process: what the ratio would be were the bridge alone on a saturated core
    const msPerGb = (s) => (1000 * s.cpu) / s.gb;
    const [ours, theirs] = [msPerGb(sides[0]), msPerGb(sides[1])];
    pair(ROWS[0], on, cOn, `; bridge CPU per GB moved: ours ${ours.toFixed(0)} ms, C ${theirs.toFixed(0)} ms (C ÷ ours ${(theirs / ours).toFixed(2)})`);
    pair(ROWS[1], on, off);
    pair(ROWS[2], on, kern);
  } finally {
    for (const n of Object.values(ns)) { try { ip('netns', 'del', n); } catch { /* never created */ } }
    c.cleanup();
  }
}

module.exports = { runTcp, TCP_ROWS: ROWS.length };
