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

  test('nested prefixes all run, merged by priority then registration; a prefix longer than the name or off its path does not', () => {
    const k = bareKernel();
    const calls: string[] = [];
    const on = (tag: string, prefix: string, priority?: number): (() => void) =>
      k.onClone((n) => { calls.push(`${tag}:${n}`); return undefined; }, { prefix, priority });
    on('t-1', 't', 7);
    on('tap-a', 'tap', 3);
    on('tap1', 'tap1');
    on('ta', 'ta', 7);
    on('tap-b', 'tap', 3);
    on('tap12x', 'tap12x', 1);
    on('tb', 'tb', 0);
    on('root', '', 7);
    const run = (name: string): string[] => { calls.length = 0; k.runCloners(name, ROOT); return [...calls]; };
    // equal priorities run in registration order, whichever prefix they came with
    expect(run('tap12')).toEqual(['tap-a:tap12', 'tap-b:tap12', 't-1:tap12', 'ta:tap12', 'root:tap12', 'tap1:tap12']);
    expect(run('tap')).toEqual(['tap-a:tap', 'tap-b:tap', 't-1:tap', 'ta:tap', 'root:tap']);
    expect(run('x')).toEqual(['root:x']);
    expect(run('')).toEqual(['root:']);
  });

  test('removing handlers prunes the index; the same prefix registers again; a remover runs once', () => {
    const k = bareKernel();
    const calls: string[] = [];
    const on = (tag: string, prefix: string): (() => void) =>
      k.onClone((n) => { calls.push(`${tag}:${n}`); return undefined; }, { prefix });
    const offLong = on('long', 'pts/12');
    const offShort = on('short', 'pts/');
    const run = (name: string): string[] => { calls.length = 0; k.runCloners(name, ROOT); return [...calls]; };
    expect(run('pts/123')).toEqual(['long:pts/123', 'short:pts/123']); // registration order
    offLong();
    offLong(); // a second call changes nothing
    expect(run('pts/123')).toEqual(['short:pts/123']);
    offShort();
    expect(run('pts/123')).toEqual([]);
    on('again', 'pts/1');
    expect(run('pts/123')).toEqual(['again:pts/123']);
  });

  test('the first handler that makes the device wins; later ones do not run', () => {
    const k = bareKernel();
    const later = jest.fn(() => undefined);
    k.onClone((n) => k.make_dev_s({ devsw: plainsw, flags: MAKEDEV_REF, mode: 0o600 }, '%s', n), { prefix: 'echo', priority: 1 });
    k.onClone(later, { prefix: 'ech', priority: 2 });
    expect(k.runCloners('echo3', ROOT)?.si_name).toBe('echo3');
    expect(later).not.toHaveBeenCalled();
  });
});
