/**
 * Isolated driver plugins in a real root daemon: config `drivers` entries with `isolate: true`
 * (and --driver-isolated) run in worker threads; their devices are in the daemon's one namespace
 * (root's view, and uid 65534's jail view where the ruleset shows them, cloning included). A
 * plugin that spins, exits its thread or runs out of memory while a pty session streams through
 * the same daemon costs only its own devices (one whose d_read throws fails that read, one whose
 * attach throws fails to load): the session gets every byte and exits 0, root's `devfs ls` answers
 * while the plugin spins, and `devfs drivers` reports the restart and why.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ChildProcess, spawn } from 'child_process';
import { needRoot, testHost } from '../../../test-support/host';
import { checkDriverEntries, isolatedEntry } from '../src/daemon/driver-specs';
import { driverList } from '../src/daemon/builtin';
import { AS_ROOT, BIN, callerArgs, cli, DaemonProc, letOthersReachRepo, NOBODY, REPO, startDaemon, stopDaemon, tempDir, until } from './helpers';

const FX = path.join(REPO, 'packages', 'core', 'test', 'isolate-fixtures');

interface Drv { name: string; isolation: { state: string; restart: string; restarts: number; lastFailure?: { code: string; message: string } } | null }

describe('config drivers entries', () => {
  const bad = (what: string) => Object.assign(new Error(what), { code: 'EINVAL' });
  test('objects are checked key by key; relative modules resolve from the config; built-ins stay built-in', () => {
    expect(checkDriverEntries(['./a', { module: './b', isolate: true, restart: 'never', memoryMb: 64 }], '/etc/devfs', bad)).toEqual([
      '/etc/devfs/a', { module: '/etc/devfs/b', isolate: true, restart: 'never', memoryMb: 64 }]);
    for (const [v, msg] of [
      [[{ module: 'x', isolate: true, memoryMB: 1 }], /unknown key 'memoryMB'/],
      [[{ module: 'x', isolate: 'yes' }], /isolate must be a boolean/],
      [[{ isolate: true }], /module must be/],
      [[{ module: 'x', restart: 'sometimes' }], /restart must be/],
      [[5], /drivers\[0\]/],
      ['x', /must be an array/],
    ] as const) expect(() => checkDriverEntries(v, '/', bad)).toThrow(msg);
    const list = driverList(['@devfs/drivers-pty'], [isolatedEntry('@devfs/drivers-pty'), isolatedEntry('./mine')]);
    expect(list).toEqual([expect.stringContaining(path.join('drivers-pty')), { module: './mine', isolate: true }]);
    expect(driverList([{ module: '@devfs/drivers-tap', isolate: true }], [])).toEqual([{ module: expect.stringMatching(/^\//), isolate: true }]);
  });
});

// The daemon runs as the caller (callerArgs); the jail view through uid 65534 needs root. As root the
// streaming session is uid 65534's, else the caller's own.
describe('isolated driver plugins in a daemon (run by the caller)', () => {
  let dir: string;
  let sock: string;
  let d: DaemonProc;
  let restoreModes: (() => void) | undefined;
  const drivers = async (): Promise<Drv[]> => JSON.parse((await cli(sock, ['--json', 'drivers'])).stdout).drivers;
  const driver = async (name: string): Promise<Drv> => (await drivers()).find((x) => x.name === name)!;
  /** `name` once the daemon has restarted it (polled through `devfs drivers`). */
  const restarted = async (name: string): Promise<Drv> => {
    let d: Drv | undefined;
    await until(async () => !!(d = await driver(name)).isolation?.restarts, `${name} to be restarted`, 20000, 100);
    return d!;
  };

  beforeAll(async () => {
    if (AS_ROOT) restoreModes = letOthersReachRepo();
    dir = tempDir();
    sock = path.join(dir, 'devfs.sock');
    fs.writeFileSync(path.join(dir, 'iso.rules'), "[isojail=50]\nadd include $devfsrules_hide_all\nadd include $devfsrules_unhide_basic\nadd include $devfsrules_unhide_login\nadd path 'good*' unhide\n");
    const config = callerArgs(dir, {
      drivers: [
        '@devfs/drivers-pty',
        { module: path.join(FX, 'good'), isolate: true },
        { module: path.join(FX, 'spin'), isolate: true, restart: 'always', memoryMb: 64, callTimeoutMs: 3000, backoffMs: 50 },
        { module: path.join(FX, 'oom'), isolate: true, memoryMb: 32, callTimeoutMs: 10000, backoffMs: 50 },
        { module: path.join(FX, 'throw-read'), isolate: true },
        { module: path.join(FX, 'throw-attach'), isolate: true },
      ],
      rules: ['iso.rules'],
      mounts: [{ name: 'root' }, { name: 'jail', ruleset: 'isojail', jail: true }],
    });
    d = await startDaemon(sock, [...config, '--driver-isolated', path.join(FX, 'exit')]);
  }, 30000);

  afterAll(async () => {
    if (d) expect(await stopDaemon(d)).toBe(0);
    fs.rmSync(dir, { recursive: true, force: true });
    restoreModes?.();
  });

  test('devfs drivers shows each isolated plugin, its state and restart policy', async () => {
    expect(d.out()).toMatch(/attached driver good \(isolate-fixture-good 1\.0\.0\) isolated/);
    const list = await drivers();
    expect(list.find((x) => x.name === 'pty')!.isolation).toBeNull();
    for (const n of ['good', 'spin', 'exit', 'oom', 'throwread']) expect(list.find((x) => x.name === n)!.isolation).toMatchObject({ state: 'running', restart: 'always', restarts: 0 });
    // a plugin whose attach throws fails alone, at startup
    const info = JSON.parse((await cli(sock, ['--json', 'drivers'])).stdout);
    expect(info.failures).toEqual([expect.objectContaining({ plugin: 'isolate-fixture-throw-attach', message: expect.stringMatching(/attach fails/) })]);
    const table = await cli(sock, ['drivers']);
    expect(table.stdout).toMatch(/^good +isolate-fixture-good +1\.0\.0 +running \(restart always\) +0/m);
  });

  testHost("root and uid 65534 (through the jail's ruleset) use an isolated driver's devices, cloning included", [needRoot], async () => {
    const ls = (await cli(sock, ['ls'])).stdout.split('\n');
    expect(ls).toEqual(expect.arrayContaining(['good', 'good0', 'good-link', 'spin0', 'exit0', 'ptmx']));
    expect((await cli(sock, ['write', 'good0', 'from-root'])).code).toBe(0);
    expect(await cli(sock, ['cat', 'good-link', '--bytes', '9'])).toMatchObject({ code: 0, stdout: 'from-root' });
    const jail = (await cli(sock, ['ls'], NOBODY)).stdout.split('\n');
    expect(jail).toEqual(expect.arrayContaining(['good', 'good0', 'null']));
    expect(jail).not.toContain('spin0');
    expect((await cli(sock, ['write', 'good0', 'from-nobody'], NOBODY)).code).toBe(0);
    expect(await cli(sock, ['cat', 'good0', '--bytes', '11'], NOBODY)).toMatchObject({ code: 0, stdout: 'from-nobody' });
    expect((await cli(sock, ['write', 'goodu7', 'mine'], NOBODY)).code).toBe(0); // cloned on lookup, for the opener
    const st = JSON.parse((await cli(sock, ['--json', 'stat', 'goodu7'], NOBODY)).stdout);
    expect(st).toMatchObject({ uid: 65534 });
    expect(st.mode & 0o777).toBe(0o600);
    expect(await cli(sock, ['cat', 'goodu7', '--bytes', '4'], NOBODY)).toMatchObject({ code: 0, stdout: 'mine' });
  });

  test('plugins that spin, exit their thread, run out of memory, throw in d_read: a pty session streams every byte meanwhile, root is served, they come back', async () => {
    const lines = 1500; // about 15 s of output: longer than the whole episode below
    const session: ChildProcess = spawn(process.execPath, [BIN, '--socket', sock, 'pty', 'spawn', '--', 'sh', '-c',
      `i=0; while [ $i -lt ${lines} ]; do echo "line $i"; i=$((i+1)); sleep 0.01; done`],
    { ...(AS_ROOT ? NOBODY : {}), cwd: '/', stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: process.env.PATH } });
    let out = '';
    session.stdout!.on('data', (b) => { out += b; });
    const sessionExit = new Promise<number | null>((r) => session.once('exit', (c) => r(c)));
    await until(() => out.includes('line 20'), 'the session streaming', 10000);

    // spin: the write hangs until callTimeoutMs; root's ls is answered while the plugin spins
    let writeDone = false;
    const spinWrite = cli(sock, ['write', 'spin0', 'go'], { timeoutMs: 20000 }).then((r) => { writeDone = true; return r; });
    await new Promise((r) => setTimeout(r, 300)); // deliberate: the write reaches the plugin and it spins (nothing outside shows it)
    const t0 = Date.now();
    const ls = await cli(sock, ['ls']);
    const lsMs = Date.now() - t0;
    expect(ls.code).toBe(0);
    expect(ls.stdout).toMatch(/^null$/m);
    expect(writeDone).toBe(false); // still spinning when root got its answer
    expect(lsMs).toBeLessThan(2700);
    const w = await spinWrite;
    expect(w.code).toBe(1);
    expect(w.stderr).toMatch(/ETIMEDOUT/);
    expect((await restarted('spin')).isolation).toMatchObject({ restarts: 1, lastFailure: { code: 'ETIMEDOUT' } });

    // exit: its devices vanish and come back; the good plugin never noticed
    expect((await cli(sock, ['write', 'exit0', 'go'])).code).toBe(1);
    expect((await restarted('exit')).isolation).toMatchObject({ restarts: 1, lastFailure: { code: 'EIO', message: expect.stringMatching(/code 7/) } });
    let names: string[] = [];
    for (let i = 0; i < 50 && !(names.includes('exit0') && names.includes('spin0')); i++) {
      names = (await cli(sock, ['ls'])).stdout.split('\n');
    }
    expect(names).toEqual(expect.arrayContaining(['exit0', 'exit-link', 'spin0', 'good0']));
    expect((await driver('good')).isolation!.restarts).toBe(0);

    // out of memory, and a d_read that throws (EIO for that call only)
    expect((await cli(sock, ['write', 'oom0', 'go'])).code).toBe(1);
    expect((await restarted('oom')).isolation).toMatchObject({ restarts: 1, lastFailure: { code: 'ENOMEM' } });
    expect((await cli(sock, ['write', 'throwread0', 'abc'])).code).toBe(0);
    const tr = await cli(sock, ['cat', 'throwread0', '--bytes', '3']);
    expect(tr.code).toBe(1);
    expect(tr.stderr).toMatch(/^devfs: EIO: /);
    expect((await driver('throwread')).isolation!.restarts).toBe(0);

    expect(session.exitCode).toBeNull(); // still streaming through all of it
    expect(await sessionExit).toBe(0);
    const got = out.split(/\r?\n/).filter((l) => l.startsWith('line '));
    expect(got).toEqual(Array.from({ length: lines }, (_, i) => `line ${i}`));
    const events = (await cli(sock, ['events'])).stdout;
    expect(events).toMatch(/NOTIFY.*spin/);
  }, 90000);
});
