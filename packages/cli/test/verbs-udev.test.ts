/**
 * Issue 19, udevadm-style verbs: timestamped events with --type/--match/--mount filters and
 * --json as one object per line, `info PATH`, `trigger [--match]` (REGISTER replayed, event
 * actions applied again), `settle`. Real root daemon with an events file; uid 65534 too.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { describeHost, needRoot, needTool, testHost } from '../../../test-support/host';
import { callerArgs, cli, DaemonProc, NOBODY, startDaemon, stopDaemon, tempDir } from './helpers';

interface Ev { seq: number; type: string; name: string; mount?: string; time?: number; data?: Record<string, unknown> }

// The daemon runs as the caller (callerArgs); what a uid-65534 client sees, and trigger (root only), need root.
describeHost('events filters, info, trigger, settle (a daemon run by the caller)', [needTool('sfdisk')], () => {
  let dir = '';
  let sock = '';
  let d: DaemonProc | undefined;
  const started = Date.now();
  const json = async (args: string[], who = {}) => {
    const r = await cli(sock, ['--json', ...args], who);
    if (r.code !== 0) throw new Error(r.stderr);
    return r.stdout.trim() === '' ? [] : r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Ev);
  };

  beforeAll(async () => {
    dir = tempDir();
    sock = path.join(dir, 's');
    fs.writeFileSync(path.join(dir, 'devfsd.conf'), 'REGISTER ^zero$ PERMISSIONS root.0 0604\nREGISTER ^zero$ SYMLINK zero zero-compat\n');
    d = await startDaemon(sock, callerArgs(dir, { events: ['devfsd.conf'] }));
  }, 30000);

  afterAll(async () => {
    if (d) await stopDaemon(d);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('events: a timestamp on each; --type (repeatable), --match, --mount; --json one object per line', async () => {
    const md = (await cli(sock, ['md', 'create', '-t', 'malloc', '-s', '1m'])).stdout.trim();
    await cli(sock, ['md', 'destroy', md]);
    const all = await json(['events']);
    expect(all.length).toBeGreaterThan(3);
    for (const e of all) expect(e.time).toBeGreaterThanOrEqual(started - 60_000);
    const reg = await json(['events', '-t', 'register', '--match', '^md\\d+$']);
    expect(reg.map((e) => `${e.type} ${e.name}`)).toEqual([`REGISTER ${md}`]);
    const two = await json(['events', '--type', 'REGISTER', '--type', 'unregister', '--match', '^md']);
    expect(two.map((e) => `${e.type} ${e.name}`)).toEqual([`REGISTER ${md}`, `UNREGISTER ${md}`]);
    const jail = await json(['events', '--mount', 'jail']);
    expect(jail.every((e) => e.mount === 'jail')).toBe(true);
    const text = (await cli(sock, ['events', '-t', 'REGISTER', '--match', `^${md}$`])).stdout;
    expect(text).toMatch(new RegExp(`^\\[\\d+\\] \\d\\d:\\d\\d:\\d\\d\\.\\d{3} REGISTER +${md} `));
    expect((await cli(sock, ['events', '--match', '('])).stderr).toMatch(/^devfs: EINVAL: bad --match pattern/);
  }, 30000);

  testHost('events as uid 65534: its filtered view of what it may see (no disk: the jail shows none)', [needRoot], async () => {
    const md = (await cli(sock, ['md', 'create', '-t', 'malloc', '-s', '1m'])).stdout.trim();
    await cli(sock, ['md', 'destroy', md]);
    expect((await json(['events', '--match', '^md'])).length).toBeGreaterThan(0);
    expect((await json(['events', '--match', '^md'], NOBODY)).filter((e) => e.type !== 'NOTIFY' || e.name)).toEqual([]);
  });

  test('info: driver, inode/rdev, owner and mode, links, parent/children, attributes', async () => {
    const img = path.join(dir, 'g.img');
    fs.writeFileSync(img, Buffer.alloc(8 * 1024 * 1024));
    execFileSync('sfdisk', ['-q', img], { input: 'label: gpt\nstart=2048, size=4096, name=boot\n' });
    const md = (await cli(sock, ['md', 'create', '-t', 'vnode', '-f', img])).stdout.trim();
    const disk = JSON.parse((await cli(sock, ['--json', 'info', md])).stdout) as Record<string, unknown> & { attributes: Record<string, unknown> };
    const st = JSON.parse((await cli(sock, ['--json', 'stat', md])).stdout) as { ino: number; rdev: number };
    // root's disk from a root daemon; the caller's from its own (callerConfig's ruleset)
    expect(disk).toMatchObject({ name: md, driver: 'md', inode: st.ino, rdev: st.rdev, uid: process.getuid!(), gid: 6, mode: 0o640, mount: 'root', children: [`${md}p1`] });
    expect(disk.attributes).toMatchObject({ type: 'vnode', file: img, mediaSize: 8 * 1024 * 1024, sectorSize: 512, scheme: 'gpt', readOnly: false });
    const part = JSON.parse((await cli(sock, ['--json', 'info', 'gpt/boot'])).stdout) as Record<string, unknown>;
    expect(part).toMatchObject({ name: `${md}p1`, path: 'gpt/boot', parent: md, links: expect.arrayContaining(['gpt/boot']), attributes: { start: 2048, sectors: 4096 } });
    const human = (await cli(sock, ['info', `${md}p1`])).stdout;
    expect(human).toMatch(new RegExp(`^N: ${md}p1\\nP: ${md}p1\\nD: md \\(unit \\d+\\)\\n`));
    expect(human).toMatch(/^S: gpt\/boot$/m);
    expect(human).toMatch(new RegExp(`^U: parent ${md}$`, 'm'));
    expect((await cli(sock, ['info', 'gpt'])).stderr).toMatch(/^devfs: EINVAL: 'gpt' is a directory/);
    await cli(sock, ['md', 'destroy', md]);
  }, 30000);

  testHost('info: a user symlink (root makes them) is an S: line; uid 65534 sees only its mount (a disk is ENOENT; null is the jail\'s)', [needRoot], async () => {
    const md = (await cli(sock, ['md', 'create', '-t', 'malloc', '-s', '1m'])).stdout.trim();
    expect((await cli(sock, ['ln', '-s', md, 'diskalias'])).code).toBe(0); // a user symlink pointing at it
    expect((await cli(sock, ['info', md])).stdout).toMatch(/^S: diskalias$/m);
    await cli(sock, ['rm', 'diskalias']);
    expect((await cli(sock, ['info', md], NOBODY)).stderr).toMatch(/^devfs: ENOENT: /);
    const nul = JSON.parse((await cli(sock, ['--json', 'info', 'null'], NOBODY)).stdout) as Record<string, unknown>;
    expect(nul).toMatchObject({ name: 'null', driver: 'null', mount: 'jail' });
    await cli(sock, ['md', 'destroy', md]);
  });

  testHost('trigger replays REGISTER (the SYMLINK action runs again) only for --match; settle returns; trigger is root only', [needRoot], async () => {
    const mode = async () => (JSON.parse((await cli(sock, ['--json', 'stat', 'zero'])).stdout) as { mode: number }).mode & 0o7777;
    expect(await mode()).toBe(0o604); // the PERMISSIONS action at the first REGISTER
    expect((await cli(sock, ['ls'])).stdout.split('\n')).toContain('zero-compat');
    expect((await cli(sock, ['rm', 'zero-compat'])).code).toBe(0);
    expect((await cli(sock, ['ls'])).stdout.split('\n')).not.toContain('zero-compat');
    const t = await cli(sock, ['trigger', '--match', '^zero$']);
    expect(t).toMatchObject({ code: 0, stdout: 'zero\n' });
    expect((await cli(sock, ['settle'])).code).toBe(0);
    expect((await cli(sock, ['ls'])).stdout.split('\n')).toContain('zero-compat');
    const replayed = (await json(['events', '-t', 'REGISTER', '--match', '^zero$'])).filter((e) => e.data?.trigger === true);
    expect(replayed).toHaveLength(1);
    expect((await cli(sock, ['trigger'], NOBODY)).stderr).toMatch(/^devfs: EPERM: /);
    expect((await cli(sock, ['settle'], NOBODY)).code).toBe(0);
    expect((await cli(sock, ['trigger', '--match', '[z'])).stderr).toMatch(/^devfs: EINVAL: bad --match/);
  }, 30000);
});
