#!/usr/bin/env node
/**
 * Soak of the root daemon as a security boundary (issue 13). Starts a real root daemon, then for a
 * bounded time runs mixed uid-65534 clients against it — well-behaved control sessions, pty
 * sessions that type and send EOF, pty input floods, sessions dropped abruptly, half-sent messages
 * (some left to hit the frame deadline), bursts of idle connections past the per-uid cap, garbage,
 * event subscribers that vanish, and real `devfs pty spawn` clients killed with SIGKILL — while
 * root runs `devfs mounts` every 2 s. At the end (after a settle period) it asserts: the daemon is
 * alive; its fd count (/proc/PID/fd) and RSS are within 10% of the start; it has no child left;
 * root was served every time.
 *
 * "Start" is measured after a warm-up round of the same mix and the same settle period, so the
 * comparison is steady state against steady state (allocator pools, JIT, the driver's first
 * ptys) — the cold figures are reported too.
 *
 *   sudo node packages/cli/test/soak/soak.js            # 5 minutes
 *   SOAK_SECONDS=30 SOAK_WARMUP=5 SOAK_SETTLE=8 node packages/cli/test/soak/soak.js
 *
 * Environment: SOAK_SECONDS (default 300), SOAK_WARMUP (s, default 15), SOAK_SETTLE (s, default
 * 12), SOAK_LOOPS (concurrent client loops per attacker process, default 6), SOAK_TRIM=1 (a
 * diagnostic: also report the RSS after glibc's malloc_trim(0), called in the daemon through gdb
 * — what the allocator keeps of freed memory versus what is live), DEVFS_BIN (default
 * the built packages/cli/dist/bin.js). Needs root (the daemon) and uid 65534 (the clients), and
 * the repository reachable by uid 65534. Prints one JSON summary line last; exit status 0 when
 * every check holds.
 */
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const BIN = process.env.DEVFS_BIN || path.join(__dirname, '..', '..', 'dist', 'bin.js');
const RAW = path.join(__dirname, 'raw.js');
const SECONDS = Number(process.env.SOAK_SECONDS || 300);
const WARMUP = Number(process.env.SOAK_WARMUP || 15);
const SETTLE = Number(process.env.SOAK_SETTLE || 12);
const LOOPS = Number(process.env.SOAK_LOOPS || 6);
const NOBODY = { uid: 65534, gid: 65534 };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The attacker: LOOPS concurrent loops of random client behaviours, until killed. */
const ATTACKER = `
const raw = require(${JSON.stringify(RAW)});
const SOCK = process.env.SOCK;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pick = (a) => a[Math.floor(Math.random() * a.length)];
const counts = {};
const waitFor = (p, re, ms) => new Promise((r) => { const end = Date.now() + ms; const t = setInterval(() => { if (re.test(p.output()) || Date.now() > end) { clearInterval(t); r(); } }, 20); });
const kill = (...ss) => { for (const s of ss) s && s.destroy(); };
const acts = {
  async polite() {
    const c = await raw.rpc(SOCK);
    await c.request('hello', {});
    await c.request('fs.readdir', { path: '' });
    await c.request('mounts', {});
    await c.request('fs.stat', { path: 'no\\nsuch\\u001b[2J' }).catch(() => undefined);
    c.socket.end();
  },
  async typeAndEof() {
    const p = await raw.ptySpawn(SOCK, 'sh', ['-c', 'cat; echo done']);
    p.data.write('hello\\nworld');
    p.data.end();
    await new Promise((r) => p.data.once('close', r));
    kill(p.ctl.socket);
  },
  async flood() {
    const p = await raw.ptySpawn(SOCK, 'sleep', ['5']);
    await raw.flood(p.data, 16 * 1024 * 1024, 600 + Math.random() * 800);
    kill(p.data, p.ctl.socket);
  },
  async dropMidSession() {
    const p = await raw.ptySpawn(SOCK, 'sh', ['-c', pick(['sleep 3', 'trap "" HUP; sleep 2', 'yes | head -c 2000000; sleep 1'])]);
    await sleep(Math.random() * 800);
    kill(...pick([[p.ctl.socket], [p.data], [p.ctl.socket, p.data]]));
    await sleep(200);
    kill(p.ctl.socket, p.data);
  },
  async halfMessage() {
    const s = await raw.connect(SOCK);
    s.resume();
    s.write('Content-Length: 1048576\\r\\n\\r\\n');
    s.write(Buffer.alloc(Math.floor(Math.random() * 1048575), 0x20));
    await Promise.race([sleep(Math.random() * 4500), new Promise((r) => s.once('close', r))]);
    kill(s);
  },
  async idleBurst() {
    const ss = [];
    for (let i = 0; i < 40; i++) ss.push(raw.connect(SOCK).then((s) => { s.resume(); return s; }, () => undefined));
    const got = await Promise.all(ss);
    await sleep(500 + Math.random() * 1000);
    kill(...got);
  },
  async garbage() {
    const s = await raw.connect(SOCK);
    s.resume();
    s.write(pick([require('crypto').randomBytes(512), 'GET / HTTP/1.1\\r\\n\\r\\n', 'Content-Length: 5\\r\\n\\r\\n{bad}', 'DEVFS-PTY nothex\\n']));
    await sleep(100);
    kill(s);
  },
  async subscriber() {
    const c = await raw.rpc(SOCK);
    await c.request('events.subscribe', {});
    await sleep(Math.random() * 1500);
    kill(c.socket);
  },
};
const names = Object.keys(acts);
async function loop() {
  for (;;) {
    const n = pick(names);
    try { await acts[n](); counts[n] = (counts[n] || 0) + 1; } catch { counts[n + '!'] = (counts[n + '!'] || 0) + 1; }
    await sleep(Math.random() * 150);
  }
}
process.on('SIGTERM', () => { console.log(JSON.stringify(counts)); process.exit(0); });
for (let i = 0; i < Number(process.env.LOOPS); i++) loop();
`;

/** With SOAK_TRIM=1: RSS of `pid` after malloc_trim(0) (through gdb), else undefined. */
function trimmedRss(pid) {
  if (process.env.SOAK_TRIM !== '1') return undefined;
  try {
    require('child_process').execFileSync('gdb', ['-p', String(pid), '-batch', '-ex', 'call (int)malloc_trim(0)'], { stdio: 'ignore', timeout: 30000 });
    return rssOf(pid);
  } catch {
    return undefined;
  }
}
function fdsOf(pid) { return fs.readdirSync(`/proc/${pid}/fd`).length; }
/** Open fds of `pid` by kind (socket, pipe, anon_inode:[eventpoll], /dev/ptmx ...). */
function fdKinds(pid) {
  const kinds = {};
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    let k;
    try { k = fs.readlinkSync(`/proc/${pid}/fd/${fd}`).replace(/:\[\d+\]$/, '').replace(/^\/dev\/pts\/\d+$/, '/dev/pts/N'); } catch { continue; }
    kinds[k] = (kinds[k] || 0) + 1;
  }
  return kinds;
}
function rssOf(pid) { return Number(/^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024; }
function childrenOf(pid) {
  let n = 0;
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try { if (fs.readFileSync(`/proc/${d}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[1] === String(pid)) n++; } catch { /* gone */ }
  }
  return n;
}
function alive(pid) {
  try { return !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8')); } catch { return false; }
}

function run(args, opts = {}) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const c = spawn(process.execPath, [BIN, ...args], { cwd: '/', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let out = '';
    c.stdout.on('data', (b) => { out += b; });
    c.stderr.on('data', (b) => { out += b; });
    const t = setTimeout(() => c.kill('SIGKILL'), opts.timeoutMs || 15000);
    c.on('close', (code) => { clearTimeout(t); resolve({ code, out, ms: Date.now() - t0 }); });
  });
}

/** Runs the client mix for `seconds`; root's `devfs mounts` every 2 s is recorded in `served`. */
async function phase(sock, seconds, served, samples, daemonPid) {
  const attackers = [0, 1].map(() => spawn(process.execPath, ['-e', ATTACKER], {
    ...NOBODY, cwd: '/', stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH, SOCK: sock, LOOPS: String(LOOPS) },
  }));
  const tallies = [];
  for (const a of attackers) { let o = ''; a.stdout.on('data', (b) => { o += b; }); a.on('exit', () => tallies.push(o.trim())); a.stderr.resume(); }
  const end = Date.now() + seconds * 1000;
  let killed = 0;
  const killer = (async () => {
    // real CLI clients killed with SIGKILL mid-session (closing a terminal, kill -9)
    while (Date.now() < end) {
      const c = spawn(process.execPath, [BIN, '--socket', sock, 'pty', 'spawn', '--', 'sh', '-c', 'echo up; sleep 10'], { ...NOBODY, cwd: '/', stdio: ['pipe', 'pipe', 'pipe'] });
      c.stdout.resume(); c.stderr.resume();
      await sleep(600 + Math.random() * 1500);
      c.kill('SIGKILL');
      killed++;
      await sleep(500);
    }
  })();
  while (Date.now() < end) {
    const r = await run(['--socket', sock, 'mounts']);
    served.push({ ok: r.code === 0, ms: r.ms, out: r.code === 0 ? '' : r.out.slice(0, 200) });
    if (!alive(daemonPid)) break;
    samples.push({ fds: fdsOf(daemonPid), rss: rssOf(daemonPid) });
    await sleep(2000);
  }
  await killer;
  for (const a of attackers) a.kill('SIGTERM');
  await sleep(300);
  for (const a of attackers) a.kill('SIGKILL');
  return { killed, tallies };
}

async function main() {
  if (process.getuid() !== 0) throw new Error('the soak needs root (it starts a root daemon)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devfs-soak-'));
  fs.chmodSync(dir, 0o755);
  const sock = path.join(dir, 'devfs.sock');
  const logFile = path.join(dir, 'daemon.log');
  fs.writeFileSync(path.join(dir, 'devfs.json'), JSON.stringify({ limits: { frameTimeoutMs: 3000 } }));
  const daemon = spawn(process.execPath, [BIN, 'daemon', '--socket', sock, '--config', path.join(dir, 'devfs.json'), '--log', logFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let dout = '';
  daemon.stdout.on('data', (b) => { dout += b; });
  daemon.stderr.on('data', (b) => { dout += b; });
  const exited = new Promise((r) => daemon.once('exit', (code, sig) => r({ code, sig })));
  for (let i = 0; !(fs.existsSync(logFile) && fs.readFileSync(logFile, 'utf8').includes('listening on')); i++) {
    if (i > 300 || daemon.exitCode !== null) throw new Error(`daemon did not start: ${dout}`);
    await sleep(50);
  }
  const pid = daemon.pid;
  const cold = { fds: fdsOf(pid), rss: rssOf(pid) };
  const served = [];
  const samples = [];
  console.log(`daemon ${pid} up: ${cold.fds} fds, ${(cold.rss / 1048576).toFixed(1)} MiB RSS (cold)`);
  await phase(sock, WARMUP, served, samples, pid);
  await sleep(SETTLE * 1000);
  const start = { fds: fdsOf(pid), rss: rssOf(pid), children: childrenOf(pid), kinds: fdKinds(pid) };
  start.rssTrimmed = trimmedRss(pid);
  console.log(`after ${WARMUP} s warm-up + ${SETTLE} s settle: ${start.fds} fds, ${(start.rss / 1048576).toFixed(1)} MiB RSS (start)`);
  const t0 = Date.now();
  const { killed, tallies } = await phase(sock, SECONDS, served, samples, pid);
  const ran = (Date.now() - t0) / 1000;
  await sleep(SETTLE * 1000);
  const isAlive = alive(pid);
  const end = isAlive ? { fds: fdsOf(pid), rss: rssOf(pid), children: childrenOf(pid), kinds: fdKinds(pid) } : { fds: -1, rss: -1, children: -1 };
  if (isAlive) end.rssTrimmed = trimmedRss(pid);
  const rootAfter = isAlive ? await run(['--socket', sock, 'mounts']) : { code: -1 };
  const peak = samples.reduce((m, s) => ({ fds: Math.max(m.fds, s.fds), rss: Math.max(m.rss, s.rss) }), { fds: 0, rss: 0 });
  const failures = served.filter((s) => !s.ok);
  const logLines = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').split('\n').length : 0;
  const within = (a, b) => Math.abs(a - b) <= 0.1 * b;
  const checks = {
    daemonAlive: isAlive,
    fdsWithin10pct: isAlive && within(end.fds, start.fds),
    rssWithin10pct: isAlive && within(end.rss, start.rss),
    noChildrenLeft: end.children === 0,
    rootServedThroughout: failures.length === 0 && rootAfter.code === 0,
  };
  let stopped = null;
  if (isAlive) {
    daemon.kill('SIGTERM');
    stopped = await exited;
    checks.cleanShutdown = stopped.code === 0 && !fs.existsSync(sock);
  }
  const summary = {
    seconds: Math.round(ran), cold, start, end, peak, rootRequests: served.length, rootFailures: failures.slice(0, 5),
    rootMaxMs: Math.max(...served.map((s) => s.ms)), rootMedianMs: served.map((s) => s.ms).sort((a, b) => a - b)[Math.floor(served.length / 2)],
    killedClients: killed, attackerTallies: tallies, logLines, checks, ok: Object.values(checks).every(Boolean),
  };
  console.log(`ran ${summary.seconds} s; root served ${served.length - failures.length}/${served.length} (median ${summary.rootMedianMs} ms, max ${summary.rootMaxMs} ms); `
    + `fds ${start.fds} → ${end.fds} (peak ${peak.fds}); RSS ${(start.rss / 1048576).toFixed(1)} → ${(end.rss / 1048576).toFixed(1)} MiB (peak ${(peak.rss / 1048576).toFixed(1)})`
    + (start.rssTrimmed && end.rssTrimmed ? `; after malloc_trim ${(start.rssTrimmed / 1048576).toFixed(1)} → ${(end.rssTrimmed / 1048576).toFixed(1)} MiB` : ''));
  console.log(JSON.stringify(summary));
  if (summary.ok) fs.rmSync(dir, { recursive: true, force: true });
  else console.log(`kept ${dir} (daemon log: ${logFile})`);
  process.exit(summary.ok ? 0 : 1);
}

main().catch((err) => { console.error(err); process.exit(2); });
