import { Cdev, MAKEDEV_REF, ROOT } from '@devfs/core';
import { bareKernel, plainsw, expectCode } from './helpers';

describe('clone handlers', () => {
  test('only handlers whose prefix matches run, in priority order; declining passes on', () => {
    const k = bareKernel();
    const calls: string[] = [];
    k.onClone((n) => { calls.push(`tap:${n}`); return undefined; }, { prefix: 'tap', priority: 10 });
    k.onClone((n) => { calls.push(`pty-late:${n}`); return undefined; }, { prefix: 'pts/', priority: 50 });
    k.onClone((n) => { calls.push(`pty-early:${n}`); return undefined; }, { prefix: 'pts/', priority: 5 });
    k.onClone((n) => { calls.push(`any:${n}`); return undefined; }, { priority: 100 });
    expect(k.runCloners('pts/4', ROOT)).toBeUndefined();
    expect(calls).toEqual(['pty-early:pts/4', 'pty-late:pts/4', 'any:pts/4']);
    calls.length = 0;
    k.runCloners('md0', ROOT);
    expect(calls).toEqual(['any:md0']);
  });

  test('a lookup miss in a mount clones, and the unit allocator gives the lowest free unit', async () => {
    const k = bareKernel();
    const units = k.unitAllocator();
    const made: Cdev[] = [];
    k.onClone((name) => {
      const m = /^echo(\d+)$/.exec(name);
      if (!m) return undefined;
      const u = units.alloc(Number(m[1]));
      const d = k.make_dev_s({ devsw: plainsw, unit: u, flags: MAKEDEV_REF, mode: 0o666 }, 'echo%d', u);
      made.push(d);
      return d;
    }, { prefix: 'echo' });
    const mnt = k.mount();
    expect(mnt.stat('echo7').rdev).toBe(made[0].rdev);
    expectCode(() => mnt.stat('echox'), 'ENOENT');
    expect(units.alloc()).toBe(0);
    expect(units.alloc()).toBe(1);
    expectCode(() => units.alloc(7), 'EEXIST');
    units.free(0);
    expect(units.alloc()).toBe(0);
    expect(units.alloc()).toBe(2);
    expectCode(() => units.free(99), 'EINVAL');
  });

  test('unregistering a handler stops it', () => {
    const k = bareKernel();
    const h = jest.fn(() => undefined);
    const off = k.onClone(h, { prefix: 'x' });
    k.runCloners('x1', ROOT);
    off();
    k.runCloners('x1', ROOT);
    expect(h).toHaveBeenCalledTimes(1);
  });
});
