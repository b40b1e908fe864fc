/**
 * The per-mount cache of resolved paths (src/mount/cache.ts, FreeBSD's name cache in front of
 * devfs_lookup): every change a walk depends on is seen at once, in every mount, and one caller's
 * cached view never answers for another (per-component search permission, a jail's si_cred).
 * Each case first makes the path cached (a stat, twice), then changes something and checks the
 * next lookup, so a stale entry would fail it.
 */
import type { Mount, Kernel, Cred } from '@devfs/core';
import { bareKernel, plainsw, alice, bob, expectCode } from './helpers';

/** Each mount kind a cache lives in. */
function mounts(k: Kernel): Mount[] {
  k.rules.load('[cachetest=60]\nadd path secret hide\n', 'cachetest.rules');
  return [
    k.mount({ name: 'plain' }),
    k.mount({ name: 'ruled', ruleset: 'cachetest' }),
    k.mount({ name: 'jail', ruleset: 'devfsrules_jail', jail: true }),
    k.mount({ name: 'ro', readOnly: true }),
  ];
}

/** stat twice (the second one answered from the cache); the inode, or the error code. */
function look(m: Mount, path: string, cred?: Cred): number | string {
  const once = (): number | string => { try { return m.stat(path, cred).ino; } catch (e) { return (e as { code: string }).code; } };
  const a = once();
  expect(once()).toBe(a);
  return a;
}

/** A cached entry was made by the stat (the cache is really in front of these lookups). */
function cached(m: Mount): number {
  return (m as unknown as { cachedWalks: number }).cachedWalks;
}

describe('path cache invalidation', () => {
  test('a device made, then destroyed, is seen at once in every mount (negative and positive entries)', async () => {
    const k = bareKernel();
    const ms = mounts(k);
    for (const m of ms) expect(look(m, 'zero')).toBe('ENOENT');
    for (const m of ms) expect(look(m, 'pts/7')).toBe('ENOENT');
    expect(ms.every((m) => cached(m) > 0)).toBe(true);     // negative entries
    const z = k.make_dev(plainsw, 0, 0, 0, 0o666, 'zero');
    const d = k.make_dev({ d_name: 'x', d_flags: 0x4 /* D_TTY */ }, 7, 0, 0, 0o666, 'pts/7');
    for (const m of ms.slice(0, 3)) expect([look(m, 'zero'), look(m, 'pts/7')]).toEqual([z.inode, d.inode]);
    expect(look(ms[3], 'pts/7')).toBe('ENOENT');          // read-only: frozen at mount time
    expect(look(ms[3], 'zero')).toBe('ENOENT');
    await k.destroy_dev(d);
    await k.destroy_dev(z);
    for (const m of ms) expect([look(m, 'zero'), look(m, 'pts/7'), look(m, 'pts')]).toEqual(['ENOENT', 'ENOENT', 'ENOENT']);
  });

  test('hidden by unlink (whiteout), restored by mknod: in that mount only', () => {
    const k = bareKernel();
    const d = k.make_dev({ d_name: 'x', d_flags: 0x4 }, 0, 0, 0, 0o666, 'pts/0');
    const ms = mounts(k);
    const rw = ms.slice(0, 3);
    for (const m of rw) expect(look(m, 'pts/0')).toBe(d.inode);
    for (const [i, m] of rw.entries()) {
      m.unlink('pts/0');
      for (const [j, n] of rw.entries()) expect(look(n, 'pts/0')).toBe(j === i ? 'ENOENT' : d.inode);
      m.mknod('pts/0');
      expect(look(m, 'pts/0')).toBe(d.inode);
    }
  });

  test("chmod of a directory: a caller's search permission is checked on every cached lookup", () => {
    const k = bareKernel();
    const d = k.make_dev(plainsw, 0, 0, 0, 0o666, 'a/b/dev0');
    const [m, other] = mounts(k);
    expect(look(m, 'a/b/dev0', alice)).toBe(d.inode);
    m.chmod('a/b', 0o700);                                  // root-owned, no search for others
    expect(look(m, 'a/b/dev0', alice)).toBe('EACCES');
    expect(look(m, 'a/b/dev0')).toBe(d.inode);              // root passes, and caches the walk
    expect(look(m, 'a/b/dev0', alice)).toBe('EACCES');      // ... which does not answer for alice
    expect(look(other, 'a/b/dev0', alice)).toBe(d.inode);   // the chmod was in one mount only
    m.chown('a/b', alice.uid, -1);
    expect(look(m, 'a/b/dev0', alice)).toBe(d.inode);       // owner bits now apply to alice
    expect(look(m, 'a/b/dev0', bob)).toBe('EACCES');
    expect(look(m, 'a/b/missing', bob)).toBe('EACCES');     // a negative entry checks permission too
    expect(look(m, 'a/b/missing', alice)).toBe('ENOENT');
  });

  test('chmod of a device changes what a cached stat reports', () => {
    const k = bareKernel();
    k.make_dev(plainsw, 0, 0, 0, 0o666, 'dev0');
    const [m] = mounts(k);
    expect(m.stat('dev0').mode & 0o777).toBe(0o666);
    m.chmod('dev0', 0o640);
    expect(m.stat('dev0').mode & 0o777).toBe(0o640);
  });

  test('a symlink covering a device, and removing it', () => {
    const k = bareKernel();
    const d = k.make_dev(plainsw, 0, 0, 0, 0o666, 'dev0');
    const e = k.make_dev(plainsw, 1, 0, 0, 0o666, 'dev1');
    const ms = mounts(k).slice(0, 2);
    for (const m of ms) expect(look(m, 'dev0')).toBe(d.inode);
    ms[0].symlink('dev1', 'dev0');
    expect(look(ms[0], 'dev0')).toBe(e.inode);              // followed to dev1
    expect(ms[0].lstat('dev0').isSymbolicLink()).toBe(true);
    expect(look(ms[1], 'dev0')).toBe(d.inode);
    ms[0].unlink('dev0');
    expect(look(ms[0], 'dev0')).toBe(d.inode);
    // a user link to a name that does not exist yet: the device made later is found through it
    ms[1].symlink('later', 'soon');
    expect(look(ms[1], 'soon')).toBe('ENOENT');
    const l = k.make_dev(plainsw, 2, 0, 0, 0o666, 'later');
    expect(look(ms[1], 'soon')).toBe(l.inode);
    // rules change a user link in place: hidden by applyRule, it is gone from cached lookups too
    ms[1].applyRule('path soon hide');
    expect(look(ms[1], 'soon')).toBe('ENOENT');
    expectCode(() => ms[1].unlink('soon'), 'ENOENT');
  });

  test('a ruleset change (rules added, then applied) and a new ruleset reach cached lookups', () => {
    const k = bareKernel();
    const ms = mounts(k);
    const m = ms[1];
    expect(look(m, 'secret')).toBe('ENOENT');
    const s = k.make_dev(plainsw, 0, 0, 0, 0o666, 'secret');
    const t = k.make_dev(plainsw, 1, 0, 0, 0o666, 'tty9');
    expect(look(m, 'secret')).toBe('ENOENT');               // hidden by its ruleset
    expect(look(ms[0], 'secret')).toBe(s.inode);
    expect(look(m, 'tty9')).toBe(t.inode);
    k.rules.add('cachetest', 'path tty9 hide');
    m.applyRuleset();
    expect(look(m, 'tty9')).toBe('ENOENT');
    expect(look(ms[0], 'tty9')).toBe(t.inode);
    ms[0].applyRule('path tty9 hide');
    expect(look(ms[0], 'tty9')).toBe('ENOENT');
    ms[0].setRuleset(0);
    const u = k.make_dev(plainsw, 2, 0, 0, 0o666, 'tty10');
    expect(look(ms[0], 'tty10')).toBe(u.inode);
  });

  test("a jail's per-caller visibility (si_cred): one caller's cached walk never answers for another", () => {
    const k = bareKernel();
    const [, , jail] = mounts(k);
    const own = k.make_dev_s({ devsw: { d_name: 'pts', d_flags: 0x4 }, unit: 3, mode: 0o620, uid: alice.uid, cred: alice }, 'pts/3');
    expect(look(jail, 'pts/3', alice)).toBe(own.inode);
    expect(look(jail, 'pts/3', bob)).toBe('ENOENT');
    expect(look(jail, 'pts/3')).toBe(own.inode);            // root sees it
    expect(look(jail, 'pts/3', bob)).toBe('ENOENT');        // ... and root's cached walk does not leak it
    expect(look(jail, 'pts/3', alice)).toBe(own.inode);
    // a symlink through which bob would reach alice's device: still hidden from him
    const host = k.mount({ name: 'host2' });
    host.symlink('3', 'pts/mine');
    jail.symlink('3', 'pts/mine');
    expect(look(jail, 'pts/mine')).toBe(own.inode);
    expect(look(jail, 'pts/mine', bob)).toBe('ENOENT');
    expect(look(jail, 'pts/mine', alice)).toBe(own.inode);
    expect(look(host, 'pts/mine', bob)).toBe(own.inode);     // other mounts are not filtered
  });

  test('a miss with a clone handler runs it on every lookup, cached or not; events only for subscribers', async () => {
    const k = bareKernel();
    const [m] = mounts(k);
    let calls = 0;
    let made = false;
    k.onClone((name) => {
      calls++;
      return made ? k.make_dev(plainsw, 5, 0, 0, 0o666, name) : undefined;
    }, { prefix: 'echo' });
    await k.events.flush();
    for (let i = 0; i < 3; i++) expectCode(() => m.stat('echo5'), 'ENOENT');
    expect(calls).toBe(3);
    expect(k.events.pending).toBe(0);                       // nobody listens: no LOOKUP was queued
    const seen: string[] = [];
    const off = k.events.on((e) => { if (e.type === 'LOOKUP') seen.push(`${e.name} ${e.mount}`); });
    expectCode(() => m.stat('echo5'), 'ENOENT');
    made = true;
    const ino = m.stat('echo5').ino;
    expect(k.lookupDev('echo5')!.inode).toBe(ino);
    expect(m.stat('echo5').ino).toBe(ino);                  // found now: no further clone
    expect(calls).toBe(5);
    await k.events.flush();
    expect(seen).toEqual(['echo5 plain', 'echo5 plain']);
    off();
  });

  test('the cache is bounded across all mounts of a kernel', () => {
    const k = bareKernel();
    for (let i = 0; i < 50; i++) k.make_dev(plainsw, i, 0, 0, 0o666, `d/x${i}`);
    const ms = Array.from({ length: 100 }, () => k.mount());
    for (const m of ms) for (let i = 0; i < 50; i++) m.stat(`d/x${i}`);
    const total = ms.reduce((a, m) => a + cached(m), 0);
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThanOrEqual(4096);
    for (const m of ms) m.unmount();
  });
});

describe('stat/lstat { throwIfNoEntry: false }', () => {
  test('a missing name is undefined (cloners still run); other errors still throw; bad options are EINVAL', () => {
    const k = bareKernel();
    const [m] = mounts(k);
    let calls = 0;
    k.onClone(() => { calls++; return undefined; }, { prefix: 'tap' });
    const d = k.make_dev(plainsw, 0, 0, 0, 0o666, 'a/dev0');
    for (let i = 0; i < 2; i++) {
      expect(m.stat('tap3', alice, { throwIfNoEntry: false })).toBeUndefined();
      expect(m.lstat('a/none', alice, { throwIfNoEntry: false })).toBeUndefined();
      expect(m.stat('a/dev0', alice, { throwIfNoEntry: false })!.ino).toBe(d.inode);
    }
    expect(calls).toBe(2);
    expect(m.stat('nodir/x', alice, { throwIfNoEntry: false })).toBeUndefined(); // a missing directory too
    m.chmod('a', 0o700);
    expectCode(() => m.stat('a/dev0', alice, { throwIfNoEntry: false }), 'EACCES');
    expectCode(() => m.stat('a/dev0/x', undefined as never, { throwIfNoEntry: false }), 'ENOTDIR');
    expectCode(() => m.stat('tap3', alice, { throwIfNoEntry: 0 as never }), 'EINVAL');
    expectCode(() => m.stat('tap3', alice, null as never), 'EINVAL');
    expectCode(() => m.stat('tap3', alice, { throwIfNoEntry: true }), 'ENOENT');
  });
});

describe('events built only for whoever receives them', () => {
  test('LOOKUP, OPEN, CLOSE: none queued with nobody listening; an action rule for a type makes it wanted', async () => {
    const k = bareKernel();
    const m = k.mount();
    k.make_dev(plainsw, 0, 0, 0, 0o666, 'dev0');
    await k.events.flush();
    expect(k.events.wants('LOOKUP')).toBe(false);
    expectCode(() => m.stat('nope'), 'ENOENT');
    await (await m.open('dev0', 'r')).close();
    expect(k.events.pending).toBe(0);
    k.events.loadConfig('LOOKUP ^nope$ IGNORE\n', 'wants.conf');
    expect([k.events.wants('LOOKUP'), k.events.wants('OPEN')]).toEqual([true, false]);
    expectCode(() => m.stat('nope'), 'ENOENT');
    await (await m.open('dev0', 'r')).close();
    expect(k.events.pending).toBe(1);                      // the LOOKUP only
    const seen: string[] = [];
    k.events.on((e) => { seen.push(e.type); });
    await (await m.open('dev0', 'r')).close();
    await k.events.flush();
    expect(seen).toEqual(['LOOKUP', 'OPEN', 'CLOSE']);
    expectCode(() => k.events.wants('NOPE' as never), 'EINVAL');
  });
});
