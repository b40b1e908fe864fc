import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { needRoot, testHost } from '../../../test-support/host';
import { AS_ROOT, attacker, callerArgs, cli, DaemonProc, letOthersReachRepo, REPO, startDaemon, stopDaemon, tempDir, until } from './helpers';

const NOBODY = { uid: 65534, gid: 65534 };
const BROKEN = path.join(REPO, 'packages', 'core', 'test', 'host-fixtures', 'no-register');

// The daemon runs as the caller (callerArgs); root's own view (with taps) and the uid-65534 client need root.
describe('devfs daemon and client (real processes, real socket)', () => {
  let dir: string;
  let sock: string;
  let d: DaemonProc;
  let restoreModes: (() => void) | undefined;

  beforeAll(async () => {
    if (AS_ROOT) restoreModes = letOthersReachRepo(); // the NOBODY client runs the CLI from this checkout
    dir = tempDir();
    sock = path.join(dir, 'devfs.sock');
    d = await startDaemon(sock, ['--driver', './examples/driver-echo', '--driver', BROKEN, ...callerArgs(dir)]);
  }, 30000);

  afterAll(async () => {
    if (d) await stopDaemon(d);
    fs.rmSync(dir, { recursive: true, force: true });
    restoreModes?.();
  });

  test('prints what it attached and where it listens; the echo plugin loads by path, the broken one fails alone', async () => {
    for (const drv of ['pty', 'md', 'echo']) expect(d.out()).toMatch(new RegExp(`attached driver ${drv} `));
    expect(d.out()).toMatch(/plugin devfs-fixture-no-register failed: EINVAL: .*no register/);
    const r = await cli(sock, ['--json', 'drivers']);
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info.drivers.map((x: { name: string }) => x.name)).toEqual(expect.arrayContaining(['pty', 'tap', 'md', 'echo']));
    expect(info.drivers.find((x: { name: string }) => x.name === 'echo').plugin).toBe('devfs-driver-echo');
    expect(info.failures).toEqual([expect.objectContaining({ plugin: 'devfs-fixture-no-register', code: 'EINVAL' })]);
    const w = await cli(sock, ['write', 'echo5', 'ping']);
    expect(w.code).toBe(0);
    const c = await cli(sock, ['cat', 'echo5', '--bytes', '4']);
    expect(c).toMatchObject({ code: 0, stdout: 'ping' });
  });

  testHost('root lists, stats and reads the full view', [needRoot], async () => {
    const ls = await cli(sock, ['ls']);
    expect(ls.code).toBe(0);
    expect(ls.stdout.split('\n')).toEqual(expect.arrayContaining(['null', 'zero', 'full', 'ptmx', 'tap']));
    const ll = await cli(sock, ['ls', '-l']);
    expect(ll.stdout).toMatch(/^crw-rw-rw- +1 root +root +\d+ .* null$/m);
    const st = JSON.parse((await cli(sock, ['--json', 'stat', 'null'])).stdout);
    expect(st).toMatchObject({ type: 'char', uid: 0, gid: 0 });
    expect(st.mode & 0o7777).toBe(0o666);
    const z = await cli(sock, ['cat', 'zero', '--bytes', '5']);
    expect(z).toMatchObject({ code: 0, stdout: '\0\0\0\0\0' });
    const m = JSON.parse((await cli(sock, ['--json', 'mounts'])).stdout);
    expect(m).toEqual(expect.arrayContaining([
      expect.objectContaining({ name: 'root', yours: true }),
      expect.objectContaining({ name: 'jail', jail: true, rulesetName: 'devfsrules_jail' })]));
  });

  testHost('an unprivileged peer sees the jail mount only, and gets EACCES where the modes say so', [needRoot], async () => {
    const m = JSON.parse((await cli(sock, ['--json', 'mounts'], NOBODY)).stdout);
    expect(m.find((x: { yours: boolean }) => x.yours).name).toBe('jail');
    const ls = await cli(sock, ['ls'], NOBODY);
    expect(ls.code).toBe(0);
    const names = ls.stdout.trim().split('\n');
    expect(names).toEqual(expect.arrayContaining(['null', 'zero', 'ptmx']));
    expect(names).not.toContain('tap');
    const other = await cli(sock, ['-m', 'root', 'ls'], NOBODY);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/^devfs: EPERM: /);
    expect((await cli(sock, ['cat', 'null'], NOBODY)).code).toBe(0);
    expect((await cli(sock, ['-m', 'jail', 'chmod', '0600', 'zero'])).code).toBe(0);
    const denied = await cli(sock, ['cat', 'zero', '--bytes', '1'], NOBODY);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/^devfs: EACCES: permission denied, open 'zero'\n$/);
    expect(JSON.parse((await cli(sock, ['--json', 'stat', 'zero'], NOBODY)).stdout).mode & 0o777).toBe(0o600);
    expect((await cli(sock, ['cat', 'zero', '--bytes', '1'])).code).toBe(0);
    const md = await cli(sock, ['md', 'create', '-t', 'malloc', '-s', '1m'], NOBODY);
    expect(md.stderr).toMatch(/^devfs: EPERM: /);
  });

  testHost('the daemon knows a uid-65534 client by its SO_PEERCRED: hello answers uid/gid 65534 and that process\'s pid', [needRoot], async () => {
    const a = attacker(`
      const s = require('net').connect(process.env.SOCK);
      const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'hello', params: {} });
      s.write('Content-Length: ' + body.length + '\\r\\n\\r\\n' + body);
      let buf = '';
      s.on('data', (b) => {
        buf += b;
        const m = /Content-Length: (\\d+)\\r\\n\\r\\n/.exec(buf);
        if (m && buf.length >= m.index + m[0].length + Number(m[1])) { console.log(buf.slice(m.index + m[0].length)); s.end(); }
      });
    `, { SOCK: sock });
    expect(await a.exited).toBe(0);
    expect(JSON.parse(a.out()).result).toMatchObject({ uid: 65534, gid: 65534, pid: a.child.pid, mount: 'jail' });
  });

  test("pty spawn prints the program's output and returns its exit status", async () => {
    const r = await cli(sock, ['pty', 'spawn', '--', 'sh', '-c', 'echo $((6*7)); exit 3']);
    expect(r.stdout).toMatch(/^42\r?\n/);
    expect(r.code).toBe(3);
    const missing = await cli(sock, ['pty', 'spawn', '--', '/nonexistent/program']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^devfs: ENOENT: /);
  });

  testHost("pty spawn runs the program as the caller's uid (uid 65534)", [needRoot], async () => {
    const u = await cli(sock, ['pty', 'spawn', '--', 'sh', '-c', 'id -u; tty'], NOBODY);
    expect(u.code).toBe(0);
    expect(u.stdout).toMatch(/^65534\r?\n\/dev\/pts\/\d+/);
  });

  test('md create shows up in ls, and events --follow prints its REGISTER', async () => {
    const follow = require('child_process').spawn(process.execPath, [require('./helpers').BIN, '--socket', sock, 'events', '--follow'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let evs = '';
    let err = '';
    follow.stdout.on('data', (b: Buffer) => { evs += b; });
    follow.stderr.on('data', (b: Buffer) => { err += b; });
    try {
      await until(() => err.includes('following events'), 'events --follow to subscribe');
      const c = await cli(sock, ['md', 'create', '-t', 'malloc', '-s', '16m']);
      expect(c.code).toBe(0);
      const name = c.stdout.trim();
      expect(name).toMatch(/^md\d+$/);
      expect((await cli(sock, ['ls'])).stdout.split('\n')).toContain(name);
      await until(() => new RegExp(`REGISTER +${name} `).test(evs), `REGISTER ${name} in events --follow`);
      const list = JSON.parse((await cli(sock, ['--json', 'md', 'list'])).stdout);
      expect(list).toEqual(expect.arrayContaining([expect.objectContaining({ name, type: 'malloc', mediaSize: 16 * 1024 * 1024 })]));
      expect((await cli(sock, ['md', 'destroy', name])).code).toBe(0);
      expect((await cli(sock, ['ls'])).stdout.split('\n')).not.toContain(name);
    } finally {
      follow.kill('SIGINT');
    }
  });

  testHost('rule and ruleset commands change what a mount shows (and only that mount)', [needRoot], async () => {
    expect((await cli(sock, ['rule', '-s', '10', 'add', 'path', 'full', 'hide'])).code).toBe(0);
    expect((await cli(sock, ['rule', '-s', '10', 'show'])).stdout).toMatch(/path full hide/);
    expect((await cli(sock, ['ruleset', '10'])).code).toBe(0);
    expect((await cli(sock, ['rule', 'applyset'])).code).toBe(0);
    expect((await cli(sock, ['ls'])).stdout.split('\n')).not.toContain('full');
    expect((await cli(sock, ['stat', 'full'])).stderr).toMatch(/^devfs: ENOENT: /);
    expect((await cli(sock, ['rule', 'add', 'path', 'full', 'unhide'])).code).toBe(0);
    expect((await cli(sock, ['rule', 'applyset'])).code).toBe(0);
    expect((await cli(sock, ['ls'])).stdout.split('\n')).toContain('full');
    const jailed = await cli(sock, ['rule', '-s', '10', 'add', 'path', 'null', 'hide'], NOBODY);
    expect(jailed.stderr).toMatch(/^devfs: EPERM: /);
    expect((await cli(sock, ['rule', 'bogus'])).stderr).toMatch(/^devfs: EINVAL: /);
  });

  test('a garbage client and a 100 MB client are refused and disconnected while another keeps working', async () => {
    const refused = (payload: (s: net.Socket) => void) => new Promise<{ reply: string; ms: number }>((resolve, reject) => {
      const s = net.connect(sock);
      let reply = '';
      const t0 = Date.now();
      s.on('data', (b) => { reply += b; });
      s.on('error', () => undefined);
      const t = setTimeout(() => { s.destroy(); reject(new Error('not disconnected')); }, 10000);
      s.on('close', () => { clearTimeout(t); resolve({ reply, ms: Date.now() - t0 }); });
      s.on('connect', () => payload(s));
    });
    const garbage = refused((s) => s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    const huge = refused((s) => {
      s.write('Content-Length: 104857600\r\n\r\n');
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      let sent = 0;
      const pump = () => { while (sent < 100 && !s.destroyed && s.write(chunk)) sent++; };
      s.on('drain', pump);
      pump();
    });
    const badJson = refused((s) => s.write('Content-Length: 9\r\n\r\n{not json'));
    const ok = await cli(sock, ['ls']);
    expect(ok.code).toBe(0);
    const [g, h, b] = await Promise.all([garbage, huge, badJson]);
    expect(g.reply).toMatch(/EPROTO: malformed header line/);
    expect(h.reply).toMatch(/EMSGSIZE: message of 104857600 bytes exceeds/);
    expect(b.reply).toMatch(/"id":null/);
    expect((await cli(sock, ['stat', 'null'])).code).toBe(0);
  });

  test('a second daemon on a live socket refuses with a clear message', async () => {
    const r = await cli(sock, ['daemon']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^devfs: EADDRINUSE: another devfs daemon is already listening on /);
    expect((await cli(sock, ['ls'])).code).toBe(0);
  });
});

// Needs no root: the daemons run as the caller (callerArgs maps a non-root caller to the root mount).
describe('devfs daemon lifecycle', () => {
  test('kill -9 leaves a stale socket that the next daemon replaces; SIGTERM shuts down cleanly', async () => {
    const dir = tempDir();
    const sock = path.join(dir, 'devfs.sock');
    try {
      const a = await startDaemon(sock, ['--driver', './examples/driver-echo']);
      a.child.kill('SIGKILL');
      await a.exited;
      expect(fs.lstatSync(sock).isSocket()).toBe(true);
      expect((await cli(sock, ['ls'])).stderr).toMatch(/^devfs: ECONNREFUSED: no devfs daemon is listening/);
      const b = await startDaemon(sock, callerArgs(dir));
      expect(b.out()).toMatch(/replaced a stale socket/);
      expect((await cli(sock, ['ls'])).code).toBe(0);
      const c = await cli(sock, ['md', 'create', '-t', 'malloc', '-s', '1m']);
      expect(c.code).toBe(0);
      expect(await stopDaemon(b)).toBe(0);
      expect(b.out()).toMatch(/SIGTERM: shutting down\n[\s\S]*stopped\n/);
      expect(b.out()).toMatch(/UNREGISTER md0/);
      expect(fs.existsSync(sock)).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 30000);
});
