/**
 * Issue 19, the small things: --version, an executable bin, `--` from pnpm, ls -l FILE / ls -a,
 * symbolic chmod, --json errors, pty spawn options, a short tap frame explained, and a daemon not
 * run as root letting users mapped to a non-jail mount manage memory/vnode disks.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { describeHost, needRoot } from '../../../test-support/host';
import { applyMode } from '../src/client/mode';
import { dropStrayDashes } from '../src/argv';
import { BIN, cli, daemonForSuite, DaemonProc, letOthersReachRepo, NOBODY, startDaemon, stopDaemon, tempDir, writeConfig } from './helpers';

describe('chmod modes and argv clean-up (no daemon)', () => {
  test('symbolic modes as chmod(1) computes them', () => {
    expect(applyMode('u+w,g-r', 0o444)).toBe(0o604);
    expect(applyMode('a=rw', 0o4755)).toBe(0o666); // = clears the set-id bits of the classes it names
    expect(applyMode('o=', 0o666)).toBe(0o660);
    expect(applyMode('+x', 0o644)).toBe(0o755);
    expect(applyMode('g=u', 0o640)).toBe(0o660);
    expect(applyMode('u+s,+t', 0o755)).toBe(0o5755);
    expect(applyMode('a+X', 0o644)).toBe(0o644);
    expect(applyMode('a+X', 0o744)).toBe(0o755);
    expect(applyMode('a+X', 0o600, true)).toBe(0o711);
    expect(applyMode('0620', 0o777)).toBe(0o620);
    for (const bad of ['u+q', 'z+w', '', 'u+w,', '8', '01777x', 'u+rg', 'u+w g']) expect(() => applyMode(bad, 0)).toThrow(/EINVAL/);
  });

  test('a -- where the verb belongs, or right after daemon, is dropped; pty spawn keeps its --', () => {
    expect(dropStrayDashes(['n', 'b', 'daemon', '--', '--driver', 'x'])).toEqual(['n', 'b', 'daemon', '--driver', 'x']);
    expect(dropStrayDashes(['n', 'b', '--socket', 's', '--', 'ls'])).toEqual(['n', 'b', '--socket', 's', 'ls']);
    expect(dropStrayDashes(['n', 'b', 'pty', 'spawn', '--', 'sh'])).toEqual(['n', 'b', 'pty', 'spawn', '--', 'sh']);
  });
});

/** `pty spawn` with --cols --rows --cwd --env --name, run as `who`: each option reaches the program. */
async function spawnOptionsReach(sock: string, who: { uid?: number; gid?: number }): Promise<void> {
  const r = await cli(sock, ['pty', 'spawn', '--cols', '101', '--rows', '33', '--cwd', '/tmp', '--env', 'FOO=b=ar', '--name', 'xterm-test', '--',
    'sh', '-c', 'stty size; echo "$FOO $TERM"; pwd'], who);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/33 101\r?\n/);
  expect(r.stdout).toMatch(/b=ar xterm-test\r?\n/);
  expect(r.stdout).toMatch(/\/tmp\r?\n/);
}

// Needs no root: the daemon runs as the caller (as root, a root daemon; else callerArgs in helpers).
describe('small things every user trips on (a daemon run by the caller)', () => {
  const { sock } = daemonForSuite();

  test('--version prints the package version; the bin is executable and runs by itself', async () => {
    const v = (JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
    expect(await cli(sock(), ['--version'])).toMatchObject({ code: 0, stdout: `${v}\n` });
    expect(fs.statSync(BIN).mode & 0o111).toBe(0o111);
    expect(execFileSync(BIN, ['--version'], { encoding: 'utf8' })).toBe(`${v}\n`);
  });

  test('`daemon -- --help` (what pnpm start -- ... runs) is the daemon help, not "too many arguments"', async () => {
    const r = await cli(sock(), ['daemon', '--', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--driver <spec>/);
    expect((await cli(sock(), ['--', 'ls'])).stdout.split('\n')).toContain('null');
  });

  test('ls -l FILE shows that node; ls -a adds . and ..; ls of a missing name is ENOENT', async () => {
    const l = await cli(sock(), ['ls', '-l', 'null']);
    expect(l.code).toBe(0);
    expect(l.stdout.trim().split('\n')).toHaveLength(1);
    expect(l.stdout).toMatch(/^crw-rw-rw- .* null\n$/);
    const a = (await cli(sock(), ['ls', '-a'])).stdout.split('\n');
    expect(a.slice(0, 2)).toEqual(['.', '..']);
    expect(a).toContain('null');
    expect((await cli(sock(), ['ls', '-la'])).stdout.split('\n')[0]).toMatch(/^dr.* \.$/);
    expect((await cli(sock(), ['ls', 'nosuch'])).stderr).toMatch(/^devfs: ENOENT: /);
  });

  test('chmod with symbolic modes changes exactly those bits (stat shows it); a bad mode changes nothing', async () => {
    const mode = async () => (JSON.parse((await cli(sock(), ['--json', 'stat', 'zero'])).stdout) as { mode: number }).mode & 0o7777;
    expect((await cli(sock(), ['chmod', '0640', 'zero'])).code).toBe(0);
    expect((await cli(sock(), ['chmod', 'g+w,o=r', 'zero'])).code).toBe(0);
    expect(await mode()).toBe(0o664);
    expect((await cli(sock(), ['chmod', 'u-w,a-r', 'zero'])).code).toBe(0);
    expect(await mode()).toBe(0o020);
    const bad = await cli(sock(), ['chmod', 'u+q', 'zero']);
    expect(bad.stderr).toMatch(/^devfs: EINVAL: bad mode 'u\+q'/);
    expect(await mode()).toBe(0o020);
    expect((await cli(sock(), ['chmod', '0666', 'zero'])).code).toBe(0);
  });

  test('with --json an error is one JSON object on stderr (daemon errors and usage errors), nothing on stdout', async () => {
    const r = await cli(sock(), ['--json', 'cat', 'nosuch']);
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(JSON.parse(r.stderr)).toEqual({ error: { code: 'ENOENT', message: expect.any(String), syscall: 'open', path: 'nosuch' } });
    const u = await cli(sock(), ['--json', 'chmod', 'zero']);
    expect(u.code).not.toBe(0);
    expect(JSON.parse(u.stderr).error.code).toBe('EINVAL');
    expect((await cli(sock(), ['cat', 'nosuch'])).stderr).toMatch(/^devfs: ENOENT: /); // without --json: the one-line form
  });

  test('pty spawn --cols --rows --cwd --env --name reach the program (as the caller)', async () => {
    await spawnOptionsReach(sock(), {});
    const bad = await cli(sock(), ['pty', 'spawn', '--env', 'NOEQUALS', '--', 'true']);
    expect(bad.stderr).toMatch(/^devfs: EINVAL: --env needs NAME=VALUE/);
  }, 30000);
});

describeHost('small things for another user (root daemon, uid-65534 client)', [needRoot], () => {
  const { sock } = daemonForSuite();

  test('with --json a daemon EPERM is one JSON object on stderr', async () => {
    const n = await cli(sock(), ['--json', 'md', 'create', '-t', 'malloc', '-s', '1m'], NOBODY);
    expect(n).toMatchObject({ code: 1, stdout: '' });
    expect(JSON.parse(n.stderr).error.code).toBe('EPERM');
  });

  test('pty spawn --cols --rows --cwd --env --name reach the program as uid 65534', async () => {
    await spawnOptionsReach(sock(), NOBODY);
  }, 30000);
});

describeHost('a daemon not run as root: users mapped to a non-jail mount manage disks', [needRoot], () => {
  let dir = '';
  let d: DaemonProc | undefined;
  let restore = () => undefined as void;

  beforeAll(async () => {
    restore = letOthersReachRepo();
    dir = tempDir();
    fs.chownSync(dir, 65534, 65534);
    const config = writeConfig(dir, { access: { users: { 65534: 'root' } } });
    d = await startDaemon(path.join(dir, 's'), ['--config', config], {}, ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']);
  }, 30000);

  afterAll(async () => {
    if (d) await stopDaemon(d);
    fs.rmSync(dir, { recursive: true, force: true });
    restore();
  });

  test('uid 65534 (mapped to root) creates and destroys malloc and vnode disks; uid 1 (jail) is refused with what to do', async () => {
    const sock = path.join(dir, 's');
    const m = await cli(sock, ['md', 'create', '-t', 'malloc', '-s', '1m'], NOBODY);
    expect(m).toMatchObject({ code: 0, stdout: 'md0\n' });
    const img = path.join(dir, 'v.img');
    fs.writeFileSync(img, Buffer.alloc(65536));
    fs.chownSync(img, 65534, 65534);
    expect((await cli(sock, ['md', 'create', '-t', 'vnode', '-f', img], NOBODY)).stdout).toBe('md1\n');
    const jailed = await cli(sock, ['md', 'create', '-t', 'malloc', '-s', '1m'], { uid: 1, gid: 1 });
    expect(jailed.code).toBe(1);
    expect(jailed.stderr).toMatch(/^devfs: EPERM: only users mapped to a mount that is not a jail .*"access"/);
    expect((await cli(sock, ['md', 'destroy', 'md0'], { uid: 1, gid: 1 })).stderr).toMatch(/^devfs: EPERM: /);
    expect((await cli(sock, ['md', 'destroy', 'md0'], NOBODY)).code).toBe(0);
    expect((await cli(sock, ['md', 'destroy', 'md1'], NOBODY)).code).toBe(0);
  }, 30000);
});
