/**
 * Issue 19, rules and config: `rule showsets` with names, `rule load FILE` (atomic), `devfs
 * reload` re-reading the config (rules, event actions, access) without dropping a client; a bad
 * file changes nothing. Root only; uid 65534 is refused. Real root daemon.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { needRoot, testHost } from '../../../test-support/host';
import { BIN, callerArgs, cli, DaemonProc, NOBODY, startDaemon, stopDaemon, tempDir, until, writeConfig } from './helpers';

// The daemon runs as the caller (callerArgs), who may load rules into its own daemon; rule changes
// (root only), reload's access map and the uid-65534/uid-1 clients need root.
describe('rule showsets/load and devfs reload (a daemon run by the caller)', () => {
  let dir = '';
  let sock = '';
  let d: DaemonProc | undefined;
  let config = '';
  const rulesFile = () => path.join(dir, 'devfs.rules');
  const eventsFile = () => path.join(dir, 'devfsd.conf');

  beforeAll(async () => {
    dir = tempDir();
    sock = path.join(dir, 's');
    fs.writeFileSync(rulesFile(), "[site=40]\nadd path 'zero' mode 0640\n");
    fs.writeFileSync(eventsFile(), '');
    const args = callerArgs(dir, { rules: ['devfs.rules'], events: ['devfsd.conf'] });
    config = args[1];
    d = await startDaemon(sock, args);
  }, 30000);

  afterAll(async () => {
    if (d) await stopDaemon(d);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('rule showsets prints numbers with names; rule load FILE is all or nothing', async () => {
    const sets = (await cli(sock, ['rule', 'showsets'])).stdout.split('\n');
    expect(sets).toContain('40 site');
    expect(sets.some((l) => /^\d+ devfsrules_jail$/.test(l))).toBe(true);
    const f = path.join(dir, 'more.rules');
    fs.writeFileSync(f, "# extra\n[extra=42]\nadd path 'null' mode 0666\nadd path 'zero' hide\n");
    expect((await cli(sock, ['rule', 'load', f])).code).toBe(0);
    expect((await cli(sock, ['rule', 'showsets'])).stdout.split('\n')).toContain('42 extra');
    expect((await cli(sock, ['rule', '-s', '42', 'show'])).stdout.trim().split('\n')).toHaveLength(2);
    fs.writeFileSync(f, "[extra=42]\nadd path 'null' mode 0600\nadd bogus\n");
    const bad = await cli(sock, ['rule', 'load', f]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(new RegExp(`^devfs: EINVAL: .*more\\.rules:3`));
    expect((await cli(sock, ['rule', '-s', '42', 'show'])).stdout.trim().split('\n')).toHaveLength(2); // unchanged
    expect((await cli(sock, ['rule', 'load'])).stderr).toMatch(/^devfs: EINVAL: usage: rule load FILE/);
  });

  testHost('rule load is refused to another user (uid 65534)', [needRoot], async () => {
    const f = path.join(dir, 'theirs.rules');
    fs.writeFileSync(f, "[theirs=43]\nadd path 'null' mode 0666\n");
    expect((await cli(sock, ['rule', 'load', f], NOBODY)).stderr).toMatch(/^devfs: EPERM: /);
    expect((await cli(sock, ['rule', 'showsets'])).stdout.split('\n')).not.toContain('43 theirs');
  });

  testHost('a rule that changes a mode emits CHANGE (op rule), as chmod does; one that changes nothing emits none', [needRoot], async () => {
    expect((await cli(sock, ['rule', 'apply', 'path', 'full', 'mode', '0604'])).code).toBe(0);
    expect((await cli(sock, ['rule', 'apply', 'path', 'full', 'mode', '0604'])).code).toBe(0); // no change the second time
    await cli(sock, ['settle']);
    const evs = (await cli(sock, ['--json', 'events', '-t', 'CHANGE', '--match', '^full$'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as { mode: number; data: { op: string } });
    expect(evs).toHaveLength(1);
    expect(evs[0]).toMatchObject({ mode: 0o604, data: { op: 'rule' } });
  });

  testHost('reload re-reads rules, event actions and access while a client stays connected; a bad file changes nothing', [needRoot], async () => {
    const follower = spawn(process.execPath, [BIN, '--socket', sock, '--json', 'events', '--follow'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = '';
    follower.stdout.on('data', (b) => { seen += b; });
    // subscribed once a miss made now shows up in it
    await until(async () => (await cli(sock, ['cat', 'follower-mark']), seen.includes('follower-mark')), 'the follower to subscribe', 8000, 50);
    fs.writeFileSync(rulesFile(), "[site=40]\nadd path 'zero' mode 0640\nadd path 'null' mode 0620\n");
    fs.writeFileSync(eventsFile(), 'REGISTER ^md[0-9]+$ SYMLINK $devname disk-\\0\n');
    writeConfig(dir, { rules: ['devfs.rules'], events: ['devfsd.conf'], access: { users: { 65534: 'root' } }, limits: { ptysPerUser: 3 } });
    const r = await cli(sock, ['--json', 'reload']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ file: config, rules: [rulesFile()], events: [eventsFile()], access: true, needRestart: ['limits'] });
    expect((await cli(sock, ['rule', '-s', '40', 'show'])).stdout.trim().split('\n')).toHaveLength(2);
    expect((await cli(sock, ['--json', 'mounts'], NOBODY)).stdout).toMatch(/"name": "root"/); // access applied to new connections
    const md = (await cli(sock, ['md', 'create', '-t', 'malloc', '-s', '1m'])).stdout.trim();
    await cli(sock, ['settle']);
    expect((await cli(sock, ['ls'])).stdout.split('\n')).toContain(`disk-${md}`); // the new event action ran
    await until(() => seen.includes(`"name":"${md}"`), 'the follower to see the new disk');
    expect(follower.exitCode).toBeNull(); // never dropped

    fs.writeFileSync(rulesFile(), "[site=40]\nadd path 'zero' bogus\n");
    const bad = await cli(sock, ['reload']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^devfs: EINVAL: .*devfs\.rules:2/);
    expect((await cli(sock, ['rule', '-s', '40', 'show'])).stdout.trim().split('\n')).toHaveLength(2);
    fs.writeFileSync(rulesFile(), "[site=40]\nadd path 'zero' mode 0640\n");
    fs.writeFileSync(eventsFile(), 'REGISTER ^x NOSUCHACTION\n');
    expect((await cli(sock, ['reload'])).stderr).toMatch(/^devfs: EINVAL: .*devfsd\.conf:1/);
    expect((await cli(sock, ['rule', '-s', '40', 'show'])).stdout.trim().split('\n')).toHaveLength(2); // rules not applied either
    fs.writeFileSync(config, '{ not json');
    expect((await cli(sock, ['reload'])).stderr).toMatch(/^devfs: EINVAL: cannot read config/);
    expect(d!.out()).toMatch(/reload failed, the running config stays/);
    expect((await cli(sock, ['reload'], { uid: 1, gid: 1 })).stderr).toMatch(/^devfs: EPERM: /);
    // SIGHUP re-reads the config as reload does (the daemon keeps running and serving the follower)
    writeConfig(dir, { rules: ['devfs.rules'], events: ['devfsd.conf'] });
    fs.writeFileSync(eventsFile(), '');
    fs.writeFileSync(rulesFile(), "[site=40]\nadd path 'zero' mode 0640\nadd path 'full' mode 0640\nadd path 'random' mode 0640\n");
    d!.child.kill('SIGHUP');
    await until(() => /reloaded .*devfs\.json/.test(d!.out().split('reload failed').pop() ?? ''), 'the SIGHUP reload to be logged');
    expect((await cli(sock, ['rule', '-s', '40', 'show'])).stdout.trim().split('\n')).toHaveLength(3);
    expect(d!.child.exitCode).toBeNull();
    expect(follower.exitCode).toBeNull();
    expect((await cli(sock, ['--json', 'mounts'], NOBODY)).stdout).toMatch(/"name": "jail"/); // access back to the default
    await cli(sock, ['md', 'destroy', md]);
    follower.kill('SIGTERM');
    await new Promise((res) => follower.once('close', res));
  }, 30000);
});
