import { createKernel, ROOT, Cdevsw, D_TTY, D_DISK, D_MEM, MAKEDEV_REF } from '@devfs/core';
import { native } from '@devfs/native';
import { alice, bob, bareKernel, plainsw, expectCode } from './helpers';

const names = (m: { readdir(p: string): { name: string }[] }, p = '') => m.readdir(p).map((d) => d.name);

describe('mounts', () => {
  test('two mounts diverge: chmod, unlink, symlink in one leave the other untouched', () => {
    const k = createKernel();
    const a = k.mount({ name: 'a' });
    const b = k.mount({ name: 'b' });
    a.chmod('null', 0o600);
    a.unlink('zero');
    a.symlink('null', 'mynull');
    expect(a.stat('null').mode & 0o7777).toBe(0o600);
    expect(b.stat('null').mode & 0o7777).toBe(0o666);
    expectCode(() => a.stat('zero'), 'ENOENT');
    expect(b.stat('zero').isCharacterDevice()).toBe(true);
    expect(a.readlink('mynull')).toBe('null');
    expectCode(() => b.lstat('mynull'), 'ENOENT');
    expect(names(a)).toEqual(['null', 'full', 'random', 'urandom', 'mynull']);
    expect(names(b)).toEqual(['null', 'zero', 'full', 'random', 'urandom']);
    expect(a.stat('null').ino).toBe(b.stat('null').ino);
    expect(a.stat('null').rdev).toBe(k.lookupDev('null')!.rdev);
    expect(a.stat('').ino).toBe(2);
  });

  test('whiteout / mknod round trip keeps old per-mount attributes', () => {
    const k = createKernel();
    const m = k.mount();
    m.chown('zero', 5, 6);
    m.unlink('zero');
    expectCode(() => m.stat('zero'), 'ENOENT');
    expect(names(m)).not.toContain('zero');
    m.mknod('zero');
    const st = m.stat('zero');
    expect([st.uid, st.gid]).toEqual([5, 6]);
    expectCode(() => m.mknod('zero'), 'EEXIST');
    expectCode(() => m.mknod('nosuch'), 'ENOENT');
  });

  test('a re-created device starts again from its make_dev defaults', async () => {
    const k = bareKernel();
    const m = k.mount();
    const d = k.make_dev(plainsw, 0, 0, 0, 0o600, 'dev0');
    m.chmod('dev0', 0o644);
    await k.destroy_dev(d);
    k.make_dev(plainsw, 0, 0, 0, 0o600, 'dev0');
    expect(m.stat('dev0').mode & 0o777).toBe(0o600);
  });

  test('symlink covers a device of the same name; unlink uncovers it', () => {
    const k = createKernel();
    const m = k.mount();
    m.symlink('null', 'zero');
    expect(m.lstat('zero').isSymbolicLink()).toBe(true);
    expect(m.stat('zero').rdev).toBe(k.lookupDev('null')!.rdev);
    expect(names(m).filter((n) => n === 'zero')).toHaveLength(1);
    m.unlink('zero');
    expect(m.lstat('zero').isCharacterDevice()).toBe(true);
    expect(m.stat('zero').rdev).toBe(k.lookupDev('zero')!.rdev);
    expectCode(() => m.symlink('null', 'x', alice), 'EPERM');
    m.symlink('null', 'x');
    expectCode(() => m.symlink('null', 'x'), 'EEXIST');
  });

  test('ELOOP after 32 links; .. never leaves the root; ENOTDIR; renaming refused', () => {
    const k = createKernel();
    const m = k.mount();
    m.symlink('l2', 'l1');
    m.symlink('l1', 'l2');
    expectCode(() => m.stat('l1'), 'ELOOP');
    expect(m.stat('../../..').ino).toBe(2);
    expect(m.stat('../null').rdev).toBe(k.lookupDev('null')!.rdev);
    expectCode(() => m.stat('null/x'), 'ENOTDIR');
    expectCode(() => m.stat('null/'), 'ENOTDIR');
    expectCode(() => m.rename('null', 'nul'), 'EPERM');
    expectCode(() => m.stat('x'.repeat(300)), 'ENAMETOOLONG');
    // a chain of 32 links resolves, 33 does not
    for (let i = 0; i < 33; i++) m.symlink(i === 0 ? 'zero' : `c${i - 1}`, `c${i}`);
    expect(m.stat('c31').isCharacterDevice()).toBe(true);
    expectCode(() => m.stat('c32'), 'ELOOP');
  });

  test('intermediate directories appear and vanish with their devices', async () => {
    const k = bareKernel();
    const m = k.mount();
    const d = k.make_dev(plainsw, 3, 0, 0, 0o620, 'pts/3');
    expect(m.stat('pts').isDirectory()).toBe(true);
    expect(m.stat('pts').ino).not.toBe(2);
    expect(names(m, 'pts')).toEqual(['3']);
    await k.destroy_dev(d);
    expectCode(() => m.stat('pts'), 'ENOENT');
  });

  describe('permissions', () => {
    const setup = () => {
      const k = bareKernel();
      const sw: Cdevsw = { d_name: 'p', d_read: () => 0, d_write: (_d, b) => b.length };
      k.make_dev(sw, 0, alice.uid, 20, 0o640, 'dev');
      return { k, m: k.mount() };
    };
    test.each([
      ['owner reads and writes', alice, 'r+', null],
      ['group member reads', bob, 'r', null],
      ['group member cannot write', bob, 'w', 'EACCES'],
      ['other cannot read', { uid: 3000, gid: 3000 }, 'r', 'EACCES'],
      ['root bypasses', ROOT, 'r+', null],
    ])('%s', async (_t, cred, flags, code) => {
      const { m } = setup();
      const p = m.open('dev', flags as string, cred as never);
      if (code) await expect(p).rejects.toMatchObject({ code });
      else await (await p).close();
    });
    test('chmod by owner and root only; chown rules', () => {
      const { m } = setup();
      m.chmod('dev', 0o600, alice);
      expectCode(() => m.chmod('dev', 0o666, bob), 'EPERM');
      m.chmod('dev', 0o644, ROOT);
      expectCode(() => m.chown('dev', bob.uid, -1, alice), 'EPERM');
      m.chown('dev', -1, 1001, alice);
      expect(m.stat('dev').gid).toBe(1001);
      expectCode(() => m.chown('dev', -1, 999, alice), 'EPERM');
      expectCode(() => m.chown('dev', -1, 20, bob), 'EPERM');
      m.chown('dev', bob.uid, 0, ROOT);
      expect(m.stat('dev').uid).toBe(bob.uid);
      expectCode(() => m.unlink('dev', alice), 'EACCES');
      expectCode(() => m.chmod('dev', 0o77777), 'EINVAL');
    });
    test('search permission on directories', () => {
      const k = bareKernel();
      k.make_dev(plainsw, 0, 0, 0, 0o666, 'sub/dev');
      const m = k.mount();
      m.chmod('sub', 0o700);
      expectCode(() => m.stat('sub/dev', alice), 'EACCES');
      expectCode(() => m.readdir('sub', alice), 'EACCES');
      expect(m.stat('sub/dev', ROOT).isCharacterDevice()).toBe(true);
    });
  });

  test('a readOnly mount refuses every change and its device set is frozen', () => {
    const k = bareKernel();
    k.make_dev(plainsw, 0, 0, 0, 0o666, 'old');
    const m = k.mount({ readOnly: true });
    k.make_dev(plainsw, 1, 0, 0, 0o666, 'new');
    expect(names(m)).toEqual(['old']);
    expectCode(() => m.stat('new'), 'ENOENT');
    for (const f of [() => m.chmod('old', 0o600), () => m.chown('old', 1, 1), () => m.unlink('old'), () => m.symlink('old', 'x'),
      () => m.mknod('old'), () => m.utimes('old', 0, 0), () => m.setRuleset(1)]) expectCode(f, 'EROFS');
  });

  test('a jail mount imposes its ruleset', () => {
    const k = createKernel();
    const j = k.mount({ ruleset: 'devfsrules_jail', jail: true });
    k.make_dev({ d_name: 'mem', d_flags: D_MEM }, 0, 0, 2, 0o640, 'mem');
    expectCode(() => j.stat('mem'), 'ENOENT');
    expectCode(() => j.mknod('mem'), 'EPERM');
    expectCode(() => j.setRuleset(0), 'EPERM');
    expectCode(() => j.applyRule('path mem unhide'), 'EPERM');
    expectCode(() => j.applyRuleset(0), 'EPERM');
    expectCode(() => j.stat('mem'), 'ENOENT');
    expectCode(() => k.mount({ jail: true }), 'EINVAL');
    expectCode(() => k.mount({ jail: true, ruleset: 0 }), 'EINVAL');
  });

  test('the jail ruleset over a typical kernel shows exactly what it must', () => {
    const k = createKernel();
    const tty: Cdevsw = { d_name: 'pty', d_flags: D_TTY };
    k.make_dev(tty, 0, 0, 0, 0o666, 'ptmx');
    k.make_dev(tty, 0, 0, 5, 0o620, 'pts/0');
    k.make_dev({ d_name: 'md', d_flags: D_DISK }, 0, 0, 5, 0o640, 'md0');
    k.make_dev({ d_name: 'tap' }, 0, 0, 0, 0o600, 'tap0');
    k.make_dev({ d_name: 'mem', d_flags: D_MEM }, 0, 0, 2, 0o640, 'mem');
    k.make_dev({ d_name: 'mem', d_flags: D_MEM }, 1, 0, 2, 0o640, 'kmem');
    const j = k.mount({ name: 'jail', ruleset: 'devfsrules_jail', jail: true });
    const shown: string[] = [];
    const walk = (p: string) => {
      for (const e of j.readdir(p)) {
        const full = p ? `${p}/${e.name}` : e.name;
        if (e.type === 'dir') walk(full); else shown.push(full);
      }
    };
    walk('');
    expect(shown.sort()).toEqual(['null', 'ptmx', 'pts/0', 'random', 'urandom', 'zero']);
  });

  test('lookup clone hidden by the ruleset → ENOENT, yet lookupDev finds it', () => {
    const k = createKernel();
    k.onClone((name) => (name === 'secret0' ? k.make_dev_s({ devsw: plainsw, flags: MAKEDEV_REF }, name) : undefined), { prefix: 'secret' });
    const j = k.mount({ ruleset: 'devfsrules_jail', jail: true });
    expectCode(() => j.stat('secret0'), 'ENOENT');
    expect(k.lookupDev('secret0')).toBeDefined();
  });

  test('populate after the change log wrapped is still exact', async () => {
    const k = bareKernel();
    const m = k.mount();
    const keep = k.make_dev(plainsw, 0, 0, 0, 0o600, 'keep');
    const gone = k.make_dev(plainsw, 0, 0, 0, 0o600, 'gone');
    m.chmod('keep', 0o644);
    m.chmod('gone', 0o644);
    expect(m.stat('keep').mode & 0o777).toBe(0o644);
    await k.destroy_dev(gone);
    const cap = native.changelogCapacity;
    const batch = [];
    for (let i = 0; i < cap + 10; i++) batch.push(k.make_dev(plainsw, i, 0, 0, 0o600, 'w%d', i));
    for (const d of batch) await k.destroy_dev(d);
    k.make_dev(plainsw, 0, 0, 0, 0o600, 'gone');
    expect(m.stat('gone').mode & 0o777).toBe(0o600);
    expect(m.stat('keep').mode & 0o777).toBe(0o644);
    expect(names(m)).toEqual(['keep', 'gone']);
    void keep;
  });

  test('rulesets apply to entries created after they are set; applyset re-runs them', () => {
    const k = bareKernel();
    const m = k.mount();
    k.make_dev(plainsw, 0, 0, 0, 0o600, 'before');
    k.rules.load('[tst=10]\nadd path "b*" mode 0640\nadd path after mode 0606\n', 'test.rules');
    m.setRuleset(10);
    k.make_dev(plainsw, 0, 0, 0, 0o600, 'after');
    expect(m.stat('before').mode & 0o777).toBe(0o600);
    expect(m.stat('after').mode & 0o777).toBe(0o606);
    m.applyRuleset();
    expect(m.stat('before').mode & 0o777).toBe(0o640);
    m.applyRule('path before hide');
    expectCode(() => m.stat('before'), 'ENOENT');
    m.applyRule('path before unhide');
    expect(m.stat('before').isCharacterDevice()).toBe(true);
  });
});
