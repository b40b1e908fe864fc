import { MAKEDEV_CHECKNAME, DevfsError } from '@devfs/core';
import { bareKernel, plainsw, expectCode } from './helpers';
import type { DeviceRegistry } from '../src/kernel/kernel';

describe('device names (prep_devname)', () => {
  const bad: [string, string][] = [
    ['', 'EINVAL'], ['/', 'EINVAL'], ['a/', 'EINVAL'], ['a/./b', 'EINVAL'], ['a/../b', 'EINVAL'], ['..', 'EINVAL'],
    ['.', 'EINVAL'], ['a b', 'EINVAL'], ['a\tb', 'EINVAL'], ['a"b', 'EINVAL'], ['x'.repeat(256), 'ENAMETOOLONG'],
  ];
  test.each(bad)('%j → %s and nothing changes', (name, code) => {
    const k = bareKernel();
    const before = k.generation;
    expectCode(() => k.make_dev(plainsw, 0, 0, 0, 0o600, name), code);
    expectCode(() => k.make_dev_s({ devsw: plainsw, flags: MAKEDEV_CHECKNAME }, name), code);
    expect(k.generation).toBe(before);
    expect([...k.devices()]).toHaveLength(0);
  });

  test('leading slashes are stripped and // collapsed', () => {
    const k = bareKernel();
    const d = k.make_dev(plainsw, 0, 0, 0, 0o600, '//a//b');
    expect(d.si_name).toBe('a/b');
    expect(k.lookupDev('a/b')).toBe(d);
  });

  test('printf-style names', () => {
    const k = bareKernel();
    expect(k.make_dev(plainsw, 3, 0, 0, 0o600, 'tty%s%d', 'p', 3).si_name).toBe('ttyp3');
    expect(k.make_dev(plainsw, 0, 0, 0, 0o600, 'x%x-%u-%02d', 255, 7, 5).si_name).toBe('xff-7-05');
  });

  test('prefix conflicts both ways, and the name is free right after destroy_dev', async () => {
    const k = bareKernel();
    const d = k.make_dev(plainsw, 0, 0, 0, 0o600, 'pts/3');
    expectCode(() => k.make_dev(plainsw, 0, 0, 0, 0o600, 'pts'), 'EEXIST');
    expectCode(() => k.make_dev(plainsw, 0, 0, 0, 0o600, 'pts/3'), 'EEXIST');
    expectCode(() => k.make_dev(plainsw, 0, 0, 0, 0o600, 'pts/3/x'), 'EEXIST');
    const p = k.destroy_dev(d);
    expect(k.lookupDev('pts/3')).toBeUndefined();
    const again = k.make_dev(plainsw, 0, 0, 0, 0o600, 'pts'); // the directory went away with its last entry
    expect(again.si_name).toBe('pts');
    await p;
  });

  test('errors have the Node system-error shape', () => {
    const k = bareKernel();
    k.make_dev(plainsw, 0, 0, 0, 0o600, 'a');
    try {
      k.make_dev(plainsw, 0, 0, 0, 0o600, 'a');
      throw new Error('no error');
    } catch (err) {
      expect(err).toBeInstanceOf(DevfsError);
      const e = err as DevfsError;
      expect(e.code).toBe('EEXIST');
      expect(e.errno).toBe(-17);
      expect(e.syscall).toBe('make_dev');
      expect(e.path).toBe('a');
      expect(e.message).toMatch(/^EEXIST: /);
    }
  });

  test('inodes are unique, >= 3, and are the rdev', () => {
    const k = bareKernel();
    const a = k.make_dev(plainsw, 0, 0, 0, 0o600, 'a');
    const b = k.make_dev(plainsw, 1, 0, 0, 0o600, 'b');
    expect(a.inode).toBeGreaterThanOrEqual(3);
    expect(a.inode).not.toBe(b.inode);
    expect(a.rdev).toBe(a.inode);
  });
});

describe('namespace churn', () => {
  test('a re-created name lists in creation order, and heavy churn compacts the directory', async () => {
    const k = bareKernel();
    const m = k.mount();
    const a = k.make_dev(plainsw, 0, 0, 0, 0o600, 'd/a');
    k.make_dev(plainsw, 1, 0, 0, 0o600, 'd/b');
    await k.destroy_dev(a);
    k.make_dev(plainsw, 0, 0, 0, 0o600, 'd/a');
    expect(m.readdir('d').map((e) => e.name)).toEqual(['b', 'a']);
    for (let i = 0; i < 500; i++) await k.destroy_dev(k.make_dev(plainsw, i, 0, 0, 0o600, 'd/tmp%d', i));
    // white-box: the registry's namespace is internal to core (stripped from the published types)
    const dir = (k as unknown as DeviceRegistry).ns.lookupDir('d')!;
    expect(dir.live).toBe(2);
    expect(dir.entries.size).toBeLessThan(200);
    expect(m.readdir('d').map((e) => e.name)).toEqual(['b', 'a']);
  });
});

describe('name limits and characters (issue 14)', () => {
  test.each([
    ['é'.repeat(127), true], ['é'.repeat(128), false], ['é'.repeat(200), false],
    ['😀'.repeat(63) + 'abc', true], ['😀'.repeat(64), false], ['a/'.repeat(127) + 'a', true], ['x'.repeat(255), true],
  ])('length is counted in UTF-8 bytes: %#', (name, ok) => {
    const k = bareKernel();
    if (ok) {
      expect(Buffer.byteLength(k.make_dev(plainsw, 0, 0, 0, 0o600, name).si_name)).toBeLessThanOrEqual(255);
    } else {
      expectCode(() => k.make_dev(plainsw, 0, 0, 0, 0o600, name), 'ENAMETOOLONG');
      expect([...k.devices()]).toHaveLength(0);
    }
  });

  test.each([['\x01'], ['\x1b'], ['\x7f'], ['\x80'], ['\x85'], ['\x9b'], ['\x9f'], ['\u00a0']])('a control or space character %j → EINVAL', (c) => {
    const k = bareKernel();
    expectCode(() => k.make_dev(plainsw, 0, 0, 0, 0o600, `a${c}b`), 'EINVAL');
    expectCode(() => k.make_dev_alias(k.make_dev(plainsw, 0, 0, 0, 0o600, 'ok'), `l${c}`), 'EINVAL');
    expect([...k.devices()].map((d) => d.si_name)).toEqual(['ok']);
  });

  test('a huge printf width is ENAMETOOLONG before any padding is built', () => {
    const k = bareKernel();
    const repeat = jest.spyOn(String.prototype, 'repeat');
    try {
      for (const fmt of ['%400000000d', '%0400000000x', 'a%99999999999999999999s', '%1021d']) {
        expectCode(() => k.make_dev(plainsw, 0, 0, 0, 0o600, fmt, 7), 'ENAMETOOLONG');
      }
      expectCode(() => k.make_dev(plainsw, 0, 0, 0, 0o600, '%s%s', 'x'.repeat(600), 'y'.repeat(600)), 'ENAMETOOLONG');
      const counts = repeat.mock.calls.map((c) => Number(c[0]));
      expect(counts.filter((n) => n > 1200)).toEqual([]);
    } finally {
      repeat.mockRestore();
    }
    expect([...k.devices()]).toHaveLength(0);
  });

  test('printf arguments are type-checked: missing, NaN, Symbol or objects → EINVAL', () => {
    const k = bareKernel();
    for (const [fmt, args] of [['n%d', []], ['n%d', [NaN]], ['n%x', ['7']], ['n%s', [Symbol('s')]], ['n%s', [{}]], ['n%c', [{}]]] as [string, unknown[]][]) {
      expectCode(() => k.make_dev(plainsw, 0, 0, 0, 0o600, fmt, ...args), 'EINVAL');
    }
    expect(k.make_dev(plainsw, 0, 0, 0, 0o600, 'n%c%c%03d%s', 65, 'bc', 7, 1.5).si_name).toBe('nAb0071.5');
  });
});
