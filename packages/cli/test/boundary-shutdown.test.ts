/**
 * Issue 13, items 1 (shutdown half) and 3: SIGTERM/SIGINT/SIGHUP of a root daemon with a
 * uid-65534 pty session attached exits 0 after hanging the program up (it gets SIGHUP) and
 * removing its tap interfaces and socket; the daemon's stdout/stderr going away (EPIPE) is not
 * fatal, and the same clean shutdown still follows. Each daemon runs in its own network namespace.
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { describeHost, needFile, needRoot, needTool } from '../../../test-support/host';
import { BIN, cli, DaemonProc, letOthersReachRepo, NOBODY, startDaemon, stopDaemon, tapsIn, tempDir, until } from './helpers';

describeHost('boundary: shutdown with live sessions, and a daemon whose stdout goes away', [needRoot, needFile('/dev/net/tun'), needTool('ip')], () => {
  let restore: (() => void) | undefined;
  let dir: string;
  const namespaces: string[] = [];
  const daemons: DaemonProc[] = [];
  const clients: ChildProcess[] = [];

  beforeAll(() => { restore = letOthersReachRepo(); dir = tempDir(); });
  afterAll(async () => {
    for (const c of clients) c.kill('SIGKILL');
    for (const d of daemons) await stopDaemon(d);
    for (const ns of namespaces) { try { execFileSync('ip', ['netns', 'del', ns]); } catch { /* gone */ } }
    fs.rmSync(dir, { recursive: true, force: true });
    restore?.();
  });

  /** A daemon in a fresh netns, with one tap interface created by root. */
  async function daemonWithTap(name: string): Promise<{ d: DaemonProc; ns: string; tap: string }> {
    const ns = `devfs-test-bnd-${crypto.randomBytes(4).toString('hex')}`;
    execFileSync('ip', ['netns', 'add', ns]);
    namespaces.push(ns);
    const d = await startDaemon(path.join(dir, `${name}.sock`), [], {}, ['ip', 'netns', 'exec', ns]);
    daemons.push(d);
    const c = await cli(d.socket, ['tap', 'create']);
    expect(c.code).toBe(0);
    const tap = c.stdout.trim();
    expect(tapsIn(ns)).toContain(tap);
    return { d, ns, tap };
  }

  /** `devfs pty spawn` as uid 65534 running a program that records a SIGHUP in `mark`; resolves once it runs. */
  async function sessionRecordingHup(sock: string, mark: string): Promise<ChildProcess> {
    const prog = `trap 'echo hup > ${mark}; exit 0' HUP; echo ready; while :; do sleep 0.1; done`;
    const c = spawn(process.execPath, [BIN, '--socket', sock, 'pty', 'spawn', '--', 'sh', '-c', prog], { ...NOBODY, cwd: '/', stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: process.env.PATH } });
    clients.push(c);
    let out = '';
    c.stdout!.on('data', (b) => { out += b; });
    await until(() => out.includes('ready'), 'the session to start', 10000);
    return c;
  }

  function markDir(): string {
    const m = fs.mkdtempSync(path.join(dir, 'mark-'));
    fs.chmodSync(m, 0o777);
    return m;
  }

  test('SIGTERM with a uid-65534 session attached: the program gets SIGHUP, exit status 0, tap and socket removed', async () => {
    const { d, ns } = await daemonWithTap('term');
    const mark = path.join(markDir(), 'hup');
    await sessionRecordingHup(d.socket, mark);
    expect(await stopDaemon(d)).toBe(0);
    expect(fs.readFileSync(mark, 'utf8')).toBe('hup\n');
    expect(tapsIn(ns)).toEqual([]);
    expect(fs.existsSync(d.socket)).toBe(false);
    expect(d.out()).toMatch(/SIGTERM: shutting down\n[\s\S]*stopped\n/);
  }, 30000);

  test('SIGINT and SIGHUP shut down the same way (status 0, socket removed)', async () => {
    for (const sig of ['SIGINT', 'SIGHUP'] as const) {
      const { d, ns } = await daemonWithTap(sig);
      const mark = path.join(markDir(), 'hup');
      await sessionRecordingHup(d.socket, mark);
      d.child.kill(sig);
      expect(await d.exited).toBe(0);
      expect(fs.readFileSync(mark, 'utf8')).toBe('hup\n');
      expect(tapsIn(ns)).toEqual([]);
      expect(fs.existsSync(d.socket)).toBe(false);
    }
  }, 40000);

  test('stdout and stderr closed under the daemon (EPIPE on its next lines): it keeps serving, then still shuts down cleanly', async () => {
    const { d, ns } = await daemonWithTap('epipe');
    d.child.stdout!.destroy();
    d.child.stderr!.destroy();
    // make it log: events (a disk and a session come and go), a refused client
    expect((await cli(d.socket, ['md', 'create', '-t', 'malloc', '-s', '1m'])).code).toBe(0);
    expect((await cli(d.socket, ['pty', 'spawn', '--', 'true'], NOBODY)).code).toBe(0);
    expect((await cli(d.socket, ['md', 'list'])).code).toBe(0);
    await new Promise((r) => setTimeout(r, 300)); // deliberate: a window for an EPIPE on those lines to kill it (it must not)
    expect(d.child.exitCode).toBeNull();
    expect(await cli(d.socket, ['mounts'])).toMatchObject({ code: 0 });
    const mark = path.join(markDir(), 'hup');
    await sessionRecordingHup(d.socket, mark);
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
    expect(fs.readFileSync(mark, 'utf8')).toBe('hup\n');
    expect(tapsIn(ns)).toEqual([]);
    expect(fs.existsSync(d.socket)).toBe(false);
  }, 30000);
});
