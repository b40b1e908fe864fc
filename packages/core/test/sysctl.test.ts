import { Sysctl } from '@devfs/core';
import { alice, expectCode } from './helpers';

describe('sysctl', () => {
  test('read, write with validation, permissions, list', () => {
    const s = new Sysctl();
    let value = 'aa';
    const remove = s.create('net.link.test.x0', {
      get: () => value,
      set: (v) => { if (!/^[a-z]+$/.test(v)) throw new Error('letters only'); value = v; },
    });
    s.create('kern.ro', { get: () => 7 });
    expect(s.read('net.link.test.x0')).toBe('aa');
    s.write('net.link.test.x0', 'bb');
    expect(s.read('net.link.test.x0')).toBe('bb');
    expectCode(() => s.write('net.link.test.x0', '12'), 'EINVAL');
    expect(s.read('net.link.test.x0')).toBe('bb');
    expectCode(() => s.write('net.link.test.x0', 'cc', alice), 'EPERM');
    expectCode(() => s.write('kern.ro', '1'), 'EPERM');
    expectCode(() => s.read('nope'), 'ENOENT');
    expectCode(() => s.create('kern.ro', { get: () => 1 }), 'EEXIST');
    expectCode(() => s.create('bad name', { get: () => 1 }), 'EINVAL');
    expect(s.list('net')).toEqual(['net.link.test.x0']);
    remove();
    expectCode(() => s.read('net.link.test.x0'), 'ENOENT');
  });
});
