/**
 * node-pty compatibility: the behaviours code written for node-pty relies on (the ones its unix
 * test suite checks through the public API, and what issue 17 lists), on real ptys and processes.
 * Our own tests, written against our spawn(); nothing here is node-pty's code.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tty from 'tty';
import * as pty from '@devfs/drivers-pty';
import type { IDisposable, IExitEvent, IPty, IPtyForkOptions, IWindowsPtyForkOptions } from '@devfs/drivers-pty';
import { describeHost, needTool } from '../../../test-support/host';
import { until } from '../../../test-support/wait';
import { collect, ptyFds, waitFor, zombies } from './helpers';

const env = { PATH: '/usr/bin:/bin', LC_ALL: 'C' };

/** Our children as `ps` sees them right now (but ps): "pid stat comm" (a zombie's stat is Z). */
function psChildren(): string[] {
  const out = execFileSync('ps', ['-o', 'pid=,stat=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  return out.split('\n').map((l) => l.trim().split(/\s+/).join(' ')).filter((l) => l !== '' && !l.endsWith(' ps'));
}

/** Output (all of it) and the exit event of a string pty. */
async function run(p: IPty): Promise<{ text: string; exit: IExitEvent }> {
  const out = await collect(p);
  return { text: out.data.join(''), exit: out.exit };
}

describeHost('node-pty compatibility of spawn()', [needTool('ps'), needTool('sh')], () => {
  let tmp: string;
  beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'devfs-compat-')); });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('file omitted or empty runs sh, args default to none', async () => {
    const shell = pty.spawn(undefined, undefined, { env });
    const done = run(shell);
    shell.write('echo "arg0=$0"; exit 3\r');
    const out = await done;
    expect(out.text).toMatch(/arg0=sh\r\n/);
    expect(out.exit).toEqual({ exitCode: 3, signal: 0 });
    expect((await run(pty.spawn('', ['-c', 'exit 4'], { env }))).exit.exitCode).toBe(4);
  });

  test('a missing program starts, prints execvp\'s reason on the terminal and exits 1; the coded error is on the exit event', async () => {
    const before = ptyFds();
    const p = pty.spawn('devfs-no-such-program', ['x'], { env });
    expect(p.pid).toBeGreaterThan(0);
    const out = await run(p);
    expect(out.text).toBe('execvp(3) failed.: No such file or directory\r\n');
    expect(out.exit).toMatchObject({ exitCode: 1, signal: 0 });
    expect(out.exit.error).toMatchObject({ name: 'DevfsError', code: 'ENOENT', syscall: 'spawn execve', path: 'devfs-no-such-program' });
    expect(ptyFds()).toEqual(before);
    expect(zombies()).toEqual([]);
  });

  test('a file that is not executable: "Permission denied", exit 1, EACCES', async () => {
    const file = path.join(tmp, 'not-executable');
    fs.writeFileSync(file, '#!/bin/sh\necho never\n', { mode: 0o644 });
    const out = await run(pty.spawn(file, [], { env }));
    expect(out.text).toBe('execvp(3) failed.: Permission denied\r\n');
    expect(out.exit.exitCode).toBe(1);
    expect(out.exit.error).toMatchObject({ code: 'EACCES', path: file });
  });

  test('a cwd that does not exist: chdir\'s reason, exit 1, ENOENT naming the directory', async () => {
    const out = await run(pty.spawn('/bin/echo', ['never'], { env, cwd: path.join(tmp, 'nowhere') }));
    expect(out.text).toBe('chdir(2) failed.: No such file or directory\r\n');
    expect(out.exit).toMatchObject({ exitCode: 1, error: { code: 'ENOENT', syscall: 'spawn chdir', path: path.join(tmp, 'nowhere') } });
  });

  test('throwOnSpawnError keeps the typed error from spawn() itself, nothing left behind', () => {
    const before = ptyFds();
    expect(() => pty.spawn('/bin/echo', [], { env, cwd: path.join(tmp, 'nowhere'), throwOnSpawnError: true }))
      .toThrow(expect.objectContaining({ code: 'ENOENT', syscall: 'spawn chdir' }));
    expect(ptyFds()).toEqual(before);
    expect(zombies()).toEqual([]);
  });

  test.each(['SIGHUP', 'SIGINT', 'SIGKILL', undefined])('kill(%s) reaps the child before it returns: ps in the same callback shows no <defunct>', async (signal) => {
    const p = pty.spawn('sh', ['-c', 'echo ready; exec sleep 30'], { env });
    const done = run(p);
    await waitFor(p, /ready\r\n/);
    // sh -c catches SIGINT itself (then kill() leaves its reaping to the exit watcher): wait for sleep
    await until(() => fs.readFileSync(`/proc/${p.pid}/comm`, 'utf8') === 'sleep\n', 'sh to exec sleep', 5000, 5);
    const seen = new Promise<string[]>((resolve) => {
      // same callback: data comes in, we kill, we count
      setImmediate(() => {
        p.kill(signal);
        resolve(psChildren());
      });
    });
    expect((await seen).filter((l) => l.startsWith(`${p.pid} `))).toEqual([]);
    const out = await done;
    expect(out.exit).toEqual({ exitCode: 0, signal: os.constants.signals[(signal ?? 'SIGHUP') as 'SIGHUP'] });
    expect(zombies()).toEqual([]);
  });

  test('a signal the child handles does not wait for it: kill returns with the child still running, its handler runs, then it exits', async () => {
    const p = pty.spawn('sh', ['-c', 'trap "echo got-term; exit 5" TERM; echo ready; while :; do sleep 0.05; done'], { env });
    const done = run(p);
    await waitFor(p, /ready\r\n/);
    p.kill('SIGTERM');
    expect(fs.existsSync(`/proc/${p.pid}`)).toBe(true);
    const out = await done;
    expect(out.text).toContain('got-term');
    expect(out.exit).toEqual({ exitCode: 5, signal: 0 });
  });

  test('onExit after a kill still comes after the last onData, even while paused', async () => {
    const p = pty.spawn('sh', ['-c', 'head -c 3000 /dev/zero | tr "\\0" x; echo; echo ready; exec sleep 30'], { env });
    let text = '';
    let exitSeen = false;
    let dataAfterExit = 0;
    p.onData((d) => { text += d; if (exitSeen) dataAfterExit++; });
    const exited = new Promise<IExitEvent>((r) => p.onExit((e) => { exitSeen = true; r(e); }));
    await waitFor(p, /ready\r\n/);
    p.pause();
    p.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 200)); // deliberate: a window in which the exit must NOT be reported while paused
    expect(exitSeen).toBe(false); // held back: the output has not ended for us
    p.resume();
    expect(await exited).toEqual({ exitCode: 0, signal: 9 });
    expect(text.match(/x/g)).toHaveLength(3000);
    await new Promise((r) => setImmediate(r));
    expect(dataAfterExit).toBe(0);
  });

  test('TERM is name, else env.TERM, else xterm; PWD is the cwd (ours when none is given)', async () => {
    const show = 'echo "T=$TERM P=$PWD"';
    expect((await run(pty.spawn('sh', ['-c', show], { env: { ...env, TERM: 'vt100' }, name: 'screen', cwd: tmp }))).text)
      .toBe(`T=screen P=${tmp}\r\n`);
    expect((await run(pty.spawn('sh', ['-c', show], { env: { ...env, TERM: 'vt100' }, cwd: tmp }))).text).toBe(`T=vt100 P=${tmp}\r\n`);
    expect((await run(pty.spawn('sh', ['-c', show], { env }))).text).toBe(`T=xterm P=${process.cwd()}\r\n`);
  });

  test('the default environment is ours without tmux/screen variables; an explicit one is taken as given', async () => {
    const saved = process.env.TMUX;
    process.env.TMUX = '/tmp/tmux-0/default,1,0';
    try {
      expect((await run(pty.spawn('sh', ['-c', 'echo "tmux=${TMUX-unset}"']))).text).toBe('tmux=unset\r\n');
      expect((await run(pty.spawn('sh', ['-c', 'echo "tmux=${TMUX-unset}"'], { env: { ...env, TMUX: 'mine' } }))).text).toBe('tmux=mine\r\n');
    } finally {
      if (saved === undefined) delete process.env.TMUX; else process.env.TMUX = saved;
    }
  });

  test('without PATH in env the program is searched in /bin:/usr/bin only, never in our PATH', async () => {
    const prog = path.join(tmp, 'devfs-compat-probe');
    fs.writeFileSync(prog, '#!/bin/sh\necho probe-ran\n', { mode: 0o755 });
    const saved = process.env.PATH;
    process.env.PATH = `${tmp}:${saved}`;
    try {
      const missing = await run(pty.spawn('devfs-compat-probe', [], { env: { LC_ALL: 'C' } }));
      expect(missing.exit).toMatchObject({ exitCode: 1, error: { code: 'ENOENT' } });
      expect((await run(pty.spawn('sh', ['-c', 'echo "$0 ran"'], { env: {} }))).text).toBe('sh ran\r\n');
      expect((await run(pty.spawn('devfs-compat-probe', [], { env: { PATH: tmp } }))).text).toBe('probe-ran\r\n');
    } finally {
      process.env.PATH = saved;
    }
  });

  test.each([
    [{ name: {} }, 'name must be a string (not a object)'],
    [{ cwd: 5 }, 'cwd must be a string (not a number)'],
    [{ env: 'x' }, 'env must be a object (not a string)'],
    [{ cols: '80' }, 'cols must be a number (not a string)'],
    [{ encoding: 5 }, 'encoding must be a string (not a number)'],
  ])('option of the wrong type %j throws EINVAL; nothing starts', (bad, message) => {
    const before = ptyFds();
    expect(() => pty.spawn('sh', [], { env, ...bad } as unknown as IPtyForkOptions))
      .toThrow(expect.objectContaining({ name: 'DevfsError', code: 'EINVAL', message: expect.stringContaining(message) }));
    expect(ptyFds()).toEqual(before);
    expect(psChildren()).toEqual([]);
  });

  test('write after the exit and kill with an unknown signal are ignored; resize beyond 16 bits is EINVAL (node-pty truncates)', async () => {
    const p = pty.spawn('sh', ['-c', 'echo ready; read x; echo "got $x"'], { env });
    const done = run(p);
    await waitFor(p, /ready\r\n/);
    expect(() => p.kill('SIGNOPE')).not.toThrow();
    expect(() => p.kill(99 as unknown as string)).not.toThrow();
    expect(() => p.resize(70000, 24)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect([p.cols, p.rows]).toEqual([80, 24]);
    p.write('still-alive\r');
    const out = await done;
    expect(out.text).toContain('got still-alive');
    expect(() => p.write('after exit')).not.toThrow();
    expect(() => p.kill('SIGKILL')).not.toThrow();
  });

  test('node-pty\'s type names compile unchanged; ptsName and fd are the slave path and the master fd', async () => {
    const opts: IPtyForkOptions = { name: 'xterm-color', cols: 80, rows: 30, cwd: tmp, env };
    const win: IWindowsPtyForkOptions = { useConpty: true, env };
    const p: IPty = pty.spawn('sh', ['-c', 'read x'], opts);
    const q: IPty = pty.spawn('sh', ['-c', 'exit 0'], win);
    const sub: IDisposable = p.onExit((e: IExitEvent) => e.exitCode);
    expect(typeof sub.dispose).toBe('function');
    const unix = p as pty.Pty;
    expect(unix.ptsName).toMatch(/^\/dev\/pts\/\d+$/);
    expect(tty.isatty(unix.fd)).toBe(true);
    expect(unix._fd).toBe(unix.fd);
    const done = run(p);
    p.write('\r');
    await Promise.all([done, run(q)]);
    expect(unix.fd).toBe(-1);
  });
});
