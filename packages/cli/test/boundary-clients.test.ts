/**
 * Issue 13, items 1 and 8b, as attacks on a real root daemon from uid-65534 client processes: a
 * pty client that goes away before its program exits (SIGKILL, `timeout`, only the control
 * connection closed) never ends the daemon; EOF on a client's stdin reaches the program as the
 * terminal's EOF.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { describeHost, needRoot, needTool } from '../../../test-support/host';
import { alive, attacker, BIN, childrenOf, cli, daemonForSuite, letOthersReachRepo, NOBODY, until } from './helpers';

const RAW = path.join(__dirname, 'soak', 'raw.js');

describeHost('boundary: clients that go away, and stdin EOF (root daemon, uid-65534 clients)', [needRoot, needTool('timeout')], () => {
  let restore: (() => void) | undefined;
  beforeAll(() => { restore = letOthersReachRepo(); });
  afterAll(() => restore?.());
  const { sock, daemon } = daemonForSuite();

  /** The daemon is alive, still serves root, and logged no crash. */
  async function daemonServes(): Promise<void> {
    expect(alive(daemon().child.pid!)).toBe(true);
    expect(daemon().child.exitCode).toBeNull();
    const r = await cli(sock(), ['mounts']);
    expect(r).toMatchObject({ code: 0 });
    expect(daemon().out()).not.toMatch(/disposed|Uncaught|ConnectionError/);
  }

  /** `devfs pty spawn -- ...argv` as uid 65534 (under `prefix`, e.g. timeout); resolves when it printed `ready`. */
  async function ptyClient(argv: string[], prefix: string[] = []) {
    const full = [...prefix, process.execPath, BIN, '--socket', sock(), 'pty', 'spawn', '--', ...argv];
    const child = spawn(full[0], full.slice(1), { ...NOBODY, cwd: '/', stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: process.env.PATH } });
    let out = '';
    child.stdout.on('data', (b) => { out += b; });
    child.stderr.on('data', (b) => { out += b; });
    const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    await until(() => out.includes('ready'), 'the program to start', 10000);
    return { child, exited, out: () => out };
  }

  test('kill -9 of a pty client, then its program exits: the daemon lives on and serves root', async () => {
    // the program ignores the hangup and exits 1.5 s later, when nobody is left to tell
    const c = await ptyClient(['sh', '-c', 'trap "" HUP; echo ready; sleep 1.5; exit 7']);
    c.child.kill('SIGKILL');
    await c.exited;
    await until(() => childrenOf(daemon().child.pid!).length === 0, 'the program to exit with nobody left to tell', 10000);
    await daemonServes();
  }, 20000);

  test('`timeout 2 devfs pty spawn -- sleep 4` (the client is terminated, the program then hung up)', async () => {
    const c = await ptyClient(['sh', '-c', 'echo ready; exec sleep 4'], ['timeout', '2']);
    expect(await c.exited).toBe(124);
    await until(() => childrenOf(daemon().child.pid!).length === 0, 'the hung-up program to exit', 10000);
    await daemonServes();
  }, 20000);

  test('only the control connection closes (data connection kept): the program is hung up, the daemon lives on', async () => {
    const a = attacker(`
      const raw = require(${JSON.stringify(RAW)});
      (async () => {
        const p = await raw.ptySpawn(process.env.SOCK, 'sh', ['-c', 'trap "" HUP; echo ready; sleep 1; echo late; sleep 0.5']);
        console.log('spawned', p.pid);
        await new Promise((r) => { const t = setInterval(() => { if (/ready/.test(p.output())) { clearInterval(t); r(); } }, 20); });
        p.ctl.socket.destroy();                 // the hang-up comes after the trap is set
        p.data.on('close', () => { console.log('data closed', JSON.stringify(p.output())); process.exit(0); });
      })().catch((e) => { console.log('failed', JSON.stringify(e)); process.exit(1); });
    `, { SOCK: sock() });
    expect(await a.exited).toBe(0);
    expect(a.out()).toMatch(/spawned \d+\n/);
    expect(a.out()).toMatch(/data closed ".*late/); // the output still reached the data connection to its end
    await daemonServes();
  }, 20000);

  test('a client that stops reading a chatty program and then vanishes: the pty is released (no master fd left behind)', async () => {
    const pid = daemon().child.pid!;
    const ptmx = () => fs.readdirSync(`/proc/${pid}/fd`).filter((fd) => { try { return fs.readlinkSync(`/proc/${pid}/fd/${fd}`) === '/dev/ptmx'; } catch { return false; } }).length;
    const before = ptmx();
    const a = attacker(`
      const raw = require(${JSON.stringify(RAW)});
      (async () => {
        const p = await raw.ptySpawn(process.env.SOCK, 'yes', []);
        p.data.pause();                       // stop reading: the daemon's socket fills, it pauses the pty
        await new Promise((r) => setTimeout(r, 1000)); // deliberate: a slow client is slow for a while
        console.log('paused with', p.output().length, 'bytes read');
        p.data.destroy();
        p.ctl.socket.destroy();
        process.exit(0);
      })().catch((e) => { console.log('failed', JSON.stringify(e)); process.exit(1); });
    `, { SOCK: sock() });
    expect(await a.exited).toBe(0);
    await until(() => ptmx() <= before, 'the pty master to be closed', 8000);
    await daemonServes();
  }, 20000);

  test('EOF on stdin reaches the program as the terminal EOF: `devfs pty spawn -- cat </dev/null` exits 0', async () => {
    const r = await cli(sock(), ['pty', 'spawn', '--', 'sh', '-c', 'cat; echo after-eof; exit 5'], { ...NOBODY, timeoutMs: 10000 });
    expect(r.stdout).toMatch(/after-eof/);
    expect(r.code).toBe(5);
    expect((await cli(sock(), ['pty', 'spawn', '--', 'cat'], { ...NOBODY, timeoutMs: 10000 })).code).toBe(0);
  }, 25000);

  test('a half-closed data connection after a partial line: the line is delivered, then EOF', async () => {
    const a = attacker(`
      const raw = require(${JSON.stringify(RAW)});
      (async () => {
        const p = await raw.ptySpawn(process.env.SOCK, 'sh', ['-c', 'stty -echo; echo ready; cat; echo " <eof>"']);
        const until = (re) => new Promise((r) => { const t = setInterval(() => { if (re.test(p.output())) { clearInterval(t); r(); } }, 20); });
        await until(/ready/);
        p.data.end('partial');
        p.data.on('close', () => { console.log(JSON.stringify(p.output())); process.exit(0); });
      })().catch((e) => { console.log('failed', JSON.stringify(e)); process.exit(1); });
    `, { SOCK: sock() });
    const t = setTimeout(() => void a.kill(), 10000);
    expect(await a.exited).toBe(0);
    clearTimeout(t);
    expect(a.out()).toMatch(/ready\\r\\npartial <eof>/);
    await daemonServes();
  }, 20000);
});
