/**
 * Issue 13 item 6 against a real root daemon, attacked by real unprivileged client processes
 * (uid 65534 `nobody` and uid 1 `daemon`, both mapped to the jail mount): the inventory verbs
 * show an unprivileged caller only what its own mount shows (or refuse), events carry no other
 * user's misses or uids, and one user's pts/N does not exist for the other.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { describeHost, needRoot } from '../../../test-support/host';
import { BIN, cli, until } from './helpers';
import { DAEMON_USER, NOBODY, ptySession, rootDaemonSuite, Who } from './jail-helpers';

/** Names `devfs ls PATH` prints (one per line); none when PATH does not exist. */
async function ls(sock: string, p: string, who?: Who): Promise<string[]> {
  const r = await cli(sock, ['ls', p], who);
  if (r.code !== 0 && /^devfs: ENOENT: /.test(r.stderr)) return [];
  expect(r).toMatchObject({ code: 0 });
  return r.stdout.split('\n').filter(Boolean);
}

describeHost('an unprivileged caller learns only what its mount shows (root daemon, uid 65534 and uid 1 clients)', [needRoot], () => {
  const { sock, dir, daemon } = rootDaemonSuite();

  test('md list: root sees the disk and its image path; nobody sees neither (its jail shows no md)', async () => {
    const image = path.join(dir(), 'secret-image.img');
    fs.writeFileSync(image, Buffer.alloc(1024 * 1024));
    const c = await cli(sock(), ['md', 'create', '-t', 'vnode', '-f', image]);
    expect(c.code).toBe(0);
    const name = c.stdout.trim();
    try {
      const mine = await cli(sock(), ['--json', 'md', 'list']);
      expect(JSON.parse(mine.stdout)).toEqual(expect.arrayContaining([expect.objectContaining({ name, file: image })]));
      const theirs = await cli(sock(), ['--json', 'md', 'list'], NOBODY);
      expect(theirs.code).toBe(0);
      expect(JSON.parse(theirs.stdout)).toEqual([]);
      expect(theirs.stdout).not.toContain('secret-image');
      const human = await cli(sock(), ['md', 'list'], NOBODY);
      expect(human.stdout).not.toContain(name);
    } finally {
      expect((await cli(sock(), ['md', 'destroy', name])).code).toBe(0);
    }
  });

  test('md list: a disk the jail is made to show is listed to nobody, without its image path', async () => {
    const image = path.join(dir(), 'shown-image.img');
    fs.writeFileSync(image, Buffer.alloc(1024 * 1024));
    const add = await cli(sock(), ['rule', '-s', 'devfsrules_jail', 'add', 'path', 'md*', 'unhide']);
    expect(add.code).toBe(0);
    const rnum = add.stdout.trim();
    const c = await cli(sock(), ['md', 'create', '-t', 'vnode', '-f', image]);
    const name = c.stdout.trim();
    try {
      expect((await cli(sock(), ['ls'], NOBODY)).stdout.split('\n')).toContain(name);
      const theirs = JSON.parse((await cli(sock(), ['--json', 'md', 'list'], NOBODY)).stdout);
      expect(theirs).toEqual([expect.objectContaining({ name, type: 'vnode', mediaSize: 1024 * 1024 })]);
      expect(theirs[0].file).toBeUndefined();
      expect(JSON.stringify(theirs)).not.toContain('shown-image');
    } finally {
      expect((await cli(sock(), ['md', 'destroy', name])).code).toBe(0);
      expect((await cli(sock(), ['rule', '-s', 'devfsrules_jail', 'del', rnum])).code).toBe(0);
    }
  });

  test('mounts: nobody sees its own mount only; drivers: refused; sysctl: only nodes about devices it sees', async () => {
    const all = JSON.parse((await cli(sock(), ['--json', 'mounts'])).stdout);
    expect(all.map((m: { name: string }) => m.name)).toEqual(expect.arrayContaining(['root', 'jail']));
    const own = JSON.parse((await cli(sock(), ['--json', 'mounts'], NOBODY)).stdout);
    expect(own).toEqual([expect.objectContaining({ name: 'jail', yours: true, jail: true })]);

    const drivers = await cli(sock(), ['drivers'], NOBODY);
    expect(drivers.code).toBe(1);
    expect(drivers.stderr).toMatch(/^devfs: EPERM: /);
    expect((await cli(sock(), ['drivers'])).code).toBe(0);

    const rootSysctl = JSON.parse((await cli(sock(), ['--json', 'sysctl'])).stdout);
    expect(rootSysctl.map((x: { name: string }) => x.name)).toContain('kern.devfs.devices');
    const jailSysctl = JSON.parse((await cli(sock(), ['--json', 'sysctl'], NOBODY)).stdout);
    expect(jailSysctl).toEqual([]);
    const one = await cli(sock(), ['sysctl', 'kern.devfs.devices'], NOBODY);
    expect(one.code).toBe(1);
    expect(one.stderr).toMatch(/^devfs: ENOENT: /);
  });

  test("events: nobody does not see uid 1's lookup misses nor its uid; it sees its own", async () => {
    const secret = 'uid1-private-lookup';
    expect((await cli(sock(), ['cat', secret], DAEMON_USER)).code).toBe(1);   // a miss: LOOKUP in the jail
    expect((await cli(sock(), ['cat', 'nobody-own-lookup'], NOBODY)).code).toBe(1);
    expect((await cli(sock(), ['cat', 'null'], DAEMON_USER)).code).toBe(0);   // OPEN/CLOSE of a shared device
    await until(() => /nobody-own-lookup/.test(daemon().out()), 'the daemon to log the events');
    const root = (await cli(sock(), ['events'])).stdout;
    expect(root).toMatch(new RegExp(`LOOKUP +${secret} \\(jail\\) uid=1 `));
    const r = await cli(sock(), ['--json', 'events'], NOBODY);
    expect(r.code).toBe(0);
    const evs = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; name: string; uid?: number; mount?: string }); // one object per line
    expect(r.stdout).not.toContain(secret);
    expect(evs).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'LOOKUP', name: 'nobody-own-lookup', uid: 65534 })]));
    const opens = evs.filter((e) => (e.type === 'OPEN' || e.type === 'CLOSE') && e.name === 'null');
    expect(opens.length).toBeGreaterThan(0);
    for (const e of opens) expect(e.uid).toBeUndefined();           // another user's open: no uid
    for (const e of evs) expect([undefined, 'jail']).toContain(e.mount); // nothing of the root mount
  });

  test("events --follow: nobody's stream has its own misses but never uid 1's", async () => {
    const follow = spawn(process.execPath, [BIN, '--socket', sock(), '--json', 'events', '--follow'], {
      cwd: '/', uid: NOBODY.uid, gid: NOBODY.gid, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    });
    let text = '';
    follow.stdout!.on('data', (b: Buffer) => { text += b; });
    try {
      // subscribed once its own miss shows up (misses are retried until the subscription is live)
      const mark = 'nobody-follow-mark';
      const missBoth = async () => {
        await cli(sock(), ['cat', 'uid1-follow-secret'], DAEMON_USER);
        await cli(sock(), ['cat', mark], NOBODY);
        return text.includes(mark);
      };
      await until(missBoth, 'its own miss in its --follow stream', 8000, 50);
      expect(text).toContain(mark);
      await cli(sock(), ['cat', 'uid1-follow-secret'], DAEMON_USER);
      await cli(sock(), ['cat', `${mark}-2`], NOBODY);
      await until(() => text.includes(`${mark}-2`), 'the second own miss');
      expect(text).not.toContain('uid1-follow-secret');
      for (const line of text.split('\n').filter(Boolean)) expect(JSON.parse(line).uid === 1).toBe(false);
    } finally {
      follow.kill('SIGINT');
    }
  });

  test("pts/N: nobody and uid 1 each see and open only their own session's pts; root sees both", async () => {
    const before = (await ls(sock(), 'pts')).length;
    // the programs outlive every check (a loaded host may take seconds per client) and are ended below
    const a = ptySession(sock(), NOBODY, 60);
    const b = ptySession(sock(), DAEMON_USER, 60);
    try {
      let rootView: string[] = [];
      await until(async () => (rootView = await ls(sock(), 'pts')).length >= before + 2, 'both sessions\' pts', 8000, 100);
      expect(rootView.length).toBe(before + 2);
      const jailRoot = (await cli(sock(), ['-m', 'jail', 'ls', 'pts'])).stdout.split('\n').filter(Boolean);
      expect(jailRoot).toEqual(rootView);                             // root sees every pts, in the jail too
      const mine = await ls(sock(), 'pts', NOBODY);
      const theirs = await ls(sock(), 'pts', DAEMON_USER);
      expect(mine).toHaveLength(1);
      expect(theirs).toHaveLength(1);
      expect(mine[0]).not.toBe(theirs[0]);
      for (const [who, other] of [[NOBODY, theirs[0]], [DAEMON_USER, mine[0]]] as const) {
        const st = await cli(sock(), ['stat', `pts/${other}`], who);
        expect(st.code).toBe(1);
        expect(st.stderr).toMatch(/^devfs: ENOENT: /);
        const cat = await cli(sock(), ['cat', `pts/${other}`, '--bytes', '1'], who);
        expect(cat.stderr).toMatch(/^devfs: ENOENT: /);
      }
      const own = JSON.parse((await cli(sock(), ['--json', 'stat', `pts/${mine[0]}`], NOBODY)).stdout);
      expect(own.uid).toBe(NOBODY.uid);
    } finally {
      a.child.kill('SIGTERM');                                         // the client goes: the daemon hangs up its program
      b.child.kill('SIGTERM');
      await Promise.all([a.done, b.done]);
    }
  }, 30000);
});
