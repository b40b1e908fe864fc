/**
 * Issue 13, items 7 and 3 (--log): nothing a uid-65534 client sends reaches the daemon log or an
 * admin's terminal raw. Paths with a newline and a forged "client 1 (uid 0 ...) refused" line, ESC
 * sequences and C1 controls, sent as LOOKUPs and as a broken protocol header, come out escaped in
 * the `--log FILE` log (one timestamped line each) and in `devfs events`.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { describeHost, needRoot } from '../../../test-support/host';
import { attacker, BIN, cli, letOthersReachRepo, NOBODY, REPO, tempDir, until } from './helpers';

const FORGED = 'x\n2026-01-01T00:00:00.000Z client 1 (uid 0, pid 1) refused: forged\r';
const ESC = 'y\x1b[2J\x1b]0;owned\x07\u009b31m';
/** Raw control characters that must never appear in a multi-line output: every C0 but the line feed ending each line, DEL, C1. */
const RAW = /[\x00-\x09\x0b-\x1f\x7f-\x9f]/;

describeHost('boundary: log and terminal injection (root daemon with --log FILE, uid-65534 clients)', [needRoot], () => {
  let restore: (() => void) | undefined;
  let dir: string;
  let sock: string;
  let logFile: string;
  let stdout = '';
  let child: ReturnType<typeof spawn> | undefined;

  beforeAll(async () => {
    restore = letOthersReachRepo();
    dir = tempDir();
    sock = path.join(dir, 'devfs.sock');
    logFile = path.join(dir, 'devfs.log');
    // miss-thrower: a driver whose miss hook throws an Error naming the lookup (a process warning)
    child = spawn(process.execPath, [BIN, 'daemon', '--socket', sock, '--log', logFile, '--driver', path.join(__dirname, 'fixtures', 'miss-thrower')], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (b) => { stdout += b; });
    child.stderr!.on('data', (b) => { stdout += b; });
    await until(() => fs.existsSync(logFile) && fs.readFileSync(logFile, 'utf8').includes(`listening on ${sock}`), 'the daemon to log that it listens', 15000);
  }, 30000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child!.once('exit', r));
    }
    fs.rmSync(dir, { recursive: true, force: true });
    restore?.();
  });

  test('--log FILE: the log goes to the file (0640, timestamped lines), not to stdout', () => {
    expect(stdout).toBe('');
    expect(fs.statSync(logFile).mode & 0o777).toBe(0o640);
    const lines = fs.readFileSync(logFile, 'utf8').trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(3);
    for (const l of lines) expect(l).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /);
  });

  test('paths and a broken header from uid 65534 are escaped in the log: no forged line, no raw ESC or C1', async () => {
    expect((await cli(sock, ['stat', FORGED], NOBODY)).code).toBe(1);
    expect((await cli(sock, ['cat', ESC], NOBODY)).code).toBe(1);
    const a = attacker(`
      const net = require('net');
      const s = net.connect(process.env.SOCK);
      s.on('error', () => undefined);
      s.resume();
      s.on('connect', () => s.write(Buffer.from('X-Evil\\u001b[2J\\u009b: 1\\nclient 1 (uid 0, pid 1) refused: forged\\r\\n\\r\\n', 'latin1')));
      s.on('close', () => process.exit(0));
    `, { SOCK: sock });
    expect(await a.exited).toBe(0);
    await until(() => fs.readFileSync(logFile, 'utf8').includes('malformed header line'), 'the refusal in the log');
    await until(() => fs.readFileSync(logFile, 'utf8').includes('LOOKUP     y'), 'the LOOKUP in the log');
    const log = fs.readFileSync(logFile, 'utf8');
    expect(log).not.toMatch(RAW);
    const lines = log.trimEnd().split('\n');
    for (const l of lines) expect(l).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (event|client|connection|attached|mount|listening|accept|warning) /);
    expect(lines.filter((l) => /\bclient 1 \(uid 0, pid 1\) refused: forged/.test(l)).every((l) => /\\n|\\r|LOOKUP|malformed/.test(l))).toBe(true);
    expect(log).toContain('x\\n2026-01-01T00:00:00.000Z client 1 (uid 0, pid 1) refused: forged\\r');
    expect(log).toContain('y\\x1b[2J\\x1b]0;owned\\x07\\x9b31m');
    expect(log).toMatch(/client \d+ \(uid 65534, pid \d+\) refused: EPROTO: malformed header line "X-Evil\\u001b\[2J\\(u009b|x9b): 1\\nclient 1/);
  }, 30000);

  test("a process warning carrying a uid-65534 client's name (a driver's miss hook threw) goes to the log escaped, never raw to stderr", async () => {
    expect((await cli(sock, ['cat', `z${ESC}`], NOBODY)).code).toBe(1);
    await until(() => fs.readFileSync(logFile, 'utf8').includes("warning: Warning: devfs: lookup-miss hook for 'zy"), 'the warning in the log');
    const line = fs.readFileSync(logFile, 'utf8').split('\n').find((l) => l.includes('lookup-miss hook for'))!;
    expect(line).not.toMatch(RAW);
    expect(line).toContain("'zy\\x1b[2J\\x1b]0;owned\\x07\\x9b31m' failed: no module provides");
    expect(stdout).toBe(''); // not printed by Node's default warning handler
  });

  test('`devfs events` (an admin terminal) prints the same names escaped', async () => {
    const r = await cli(sock, ['events']);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(RAW);
    const lines = r.stdout.trimEnd().split('\n');
    for (const l of lines) expect(l).toMatch(/^\[\d+\] /);
    expect(r.stdout).toContain('LOOKUP     x\\n2026-01-01T00:00:00.000Z client 1 (uid 0, pid 1) refused: forged\\r (jail)');
    expect(r.stdout).toContain('y\\x1b[2J\\x1b]0;owned\\x07\\x9b31m (jail)');
  });

  test('a flood of misses from uid 65534 cannot flood the log: LOOKUP lines share a budget, the next allowed one says how many were not logged', async () => {
    const before = fs.readFileSync(logFile, 'utf8').split('\n').filter((l) => l.includes(' LOOKUP ')).length;
    const t0 = Date.now();
    const a = attacker(`
      const raw = require(${JSON.stringify(path.join(__dirname, 'soak', 'raw.js'))});
      (async () => {
        const c = await raw.rpc(process.env.SOCK);
        for (let i = 0; i < 3000; i++) await c.request('fs.stat', { path: 'flood' + i }).catch(() => undefined);
        c.socket.end();
        process.exit(0);
      })();
    `, { SOCK: sock });
    expect(await a.exited).toBe(0);
    const seconds = (Date.now() - t0) / 1000;
    await until(() => fs.readFileSync(logFile, 'utf8').includes('flood2999') || (Date.now() - t0) / 1000 > seconds + 1, 'the log to settle');
    const lookups = () => fs.readFileSync(logFile, 'utf8').split('\n').filter((l) => l.includes(' LOOKUP '));
    const logged = lookups().length - before;
    expect(logged).toBeLessThanOrEqual(200 + Math.ceil(50 * (seconds + 1)));
    expect(logged).toBeLessThan(3000);
    // the budget refills: the next miss is logged with the count of those that were not
    await new Promise((r) => setTimeout(r, 100)); // deliberate: let the budget refill by a few lines
    expect((await cli(sock, ['stat', 'after-the-flood'], NOBODY)).code).toBe(1);
    await until(() => lookups().some((l) => l.includes('after-the-flood')), 'the next miss in the log');
    expect(lookups().find((l) => l.includes('after-the-flood'))).toMatch(/\(\d+ earlier such lines not logged\)/);
  }, 60000);
});
