import { Cdev, Cdevsw, DevFile, POLLIN, POLLNVAL, POLLERR, SelInfo, selrecord, devfsError, MAKEDEV_ETERNAL } from '@devfs/core';
import { bareKernel, plainsw, until } from './helpers';
import { SI_DESTROYED } from '../src/kernel/cdev';

describe('destroy_dev', () => {
  test('waits for an in-flight call, calls d_purge, later calls get ENXIO, cdevpriv dtor runs once', async () => {
    const k = bareKernel();
    let release!: () => void;
    const purged: string[] = [];
    const dtor = jest.fn();
    const sw: Cdevsw = {
      d_name: 'slow',
      d_open: (_d, _f, file) => k.devfs_set_cdevpriv(file, { n: 1 }, dtor),
      d_read: () => new Promise<number>((r) => { release = () => r(0); }),
      d_purge: (d) => { purged.push(d.si_name); release(); },
    };
    const dev = k.make_dev(sw, 0, 0, 0, 0o666, 'slow');
    const m = k.mount();
    const f = await m.open('slow', 'r');
    expect(k.devfs_get_cdevpriv(f)).toEqual({ n: 1 });
    const reading = f.read(Buffer.alloc(4));
    await new Promise((r) => setImmediate(r));
    expect(dev.threadcount).toBe(1);
    let done = false;
    const destroyed = k.destroy_dev(dev).then(() => { done = true; });
    expect(k.lookupDev('slow')).toBeUndefined();
    expect(() => m.stat('slow')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    await expect(f.read(Buffer.alloc(1))).rejects.toMatchObject({ code: 'ENXIO' });
    await expect(reading).resolves.toBe(0);
    await destroyed;
    expect(done).toBe(true);
    expect(purged).toEqual(['slow']);
    expect(dtor).toHaveBeenCalledTimes(1);
    await f.close();
    expect(dtor).toHaveBeenCalledTimes(1);
  });

  test('destroy does not resolve before the in-flight call returns', async () => {
    const k = bareKernel();
    let finish!: () => void;
    const sw: Cdevsw = { d_name: 'w', d_write: () => new Promise<number>((r) => { finish = () => r(1); }) };
    const dev = k.make_dev(sw, 0, 0, 0, 0o666, 'w');
    const f = await k.mount().open('w', 'w');
    const writing = f.write(Buffer.from('x'));
    await new Promise((r) => setImmediate(r));
    let done = false;
    const p = k.destroy_dev(dev).then(() => { done = true; });
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    expect(done).toBe(false);
    finish();
    await p;
    expect(done).toBe(true);
    await expect(writing).resolves.toBe(1);
  });

  test('a leaf nobody holds: destroyed at once (name gone, SI_DESTROYED), every later destroy_dev resolves, one UNREGISTER', async () => {
    const k = bareKernel();
    const seen: string[] = [];
    k.events.on((e) => { if (e.type === 'UNREGISTER') seen.push(e.name); });
    const dev = k.make_dev({ d_name: 'leaf' }, 0, 0, 0, 0o600, 'leaf0');
    const m = k.mount({ name: 'm' });
    const first = k.destroy_dev(dev);
    expect(() => m.stat('leaf0')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(dev.flags & SI_DESTROYED).toBe(SI_DESTROYED);
    await expect(first).resolves.toBeUndefined();
    await expect(k.destroy_dev(dev)).resolves.toBeUndefined();
    await k.events.flush();
    expect(seen).toEqual(['leaf0']);
    // the name is free again, for a new device with a new inode generation
    const again = k.make_dev({ d_name: 'leaf' }, 0, 0, 0, 0o600, 'leaf0');
    expect(m.stat('leaf0').ino).toBe(again.inode);
    await k.destroy_dev(again);
  });

  test('cascades to children and aliases', async () => {
    const k = bareKernel();
    const parent = k.make_dev(plainsw, 0, 0, 0, 0o600, 'md0');
    const c1 = k.make_dev(plainsw, 1, 0, 0, 0o600, 'md0p1');
    const c2 = k.make_dev(plainsw, 2, 0, 0, 0o600, 'md0p2');
    const grandchild = k.make_dev(plainsw, 3, 0, 0, 0o600, 'md0p2a');
    k.dev_depends(parent, c1);
    k.dev_depends(parent, c2);
    k.dev_depends(c2, grandchild);
    const alias = k.make_dev_alias(c1, 'gpt/root');
    const m = k.mount();
    expect(m.readlink('gpt/root')).toBe('../md0p1');
    expect(m.stat('gpt/root').rdev).toBe(c1.rdev);
    await k.destroy_dev(parent);
    for (const d of [parent, c1, c2, grandchild, alias]) expect(k.lookupDev(d.si_name)).toBeUndefined();
    expect(m.readdir('')).toEqual([]);
    expect(() => k.dev_depends(parent, parent)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });

  test('destroy_dev_sched from inside d_close does not deadlock', async () => {
    const k = bareKernel();
    const cb = jest.fn();
    let dev!: Cdev;
    const sw: Cdevsw = { d_name: 'selfdestruct', d_close: (d) => { expect(k.destroy_dev_sched(d, cb)).toBe(true); } };
    dev = k.make_dev(sw, 0, 0, 0, 0o666, 'sd');
    const f = await k.mount().open('sd', 'r');
    await f.close();
    await until(() => cb.mock.calls.length > 0, "destroy_dev_sched's callback");
    expect(cb).toHaveBeenCalledTimes(1);
    expect(k.lookupDev('sd')).toBeUndefined();
    expect(dev.dying).toBe(true);
  });

  test('MAKEDEV_ETERNAL devices refuse destroy', async () => {
    const k = bareKernel();
    const d = k.make_dev_s({ devsw: plainsw, flags: MAKEDEV_ETERNAL }, 'forever');
    await expect(k.destroy_dev(d)).rejects.toMatchObject({ code: 'EBUSY' });
    expect(k.lookupDev('forever')).toBe(d);
  });

  test('a handle blocked in read and one blocked in poll both settle (ENXIO / POLLNVAL)', async () => {
    const k = bareKernel();
    const sel = new SelInfo();
    const sw: Cdevsw = {
      d_name: 'never',
      d_read: () => { throw devfsError('EAGAIN', 'read'); },
      d_poll: (_d, _ev, file: DevFile) => { selrecord(file, sel); return 0; },
    };
    const dev = k.make_dev(sw, 0, 0, 0, 0o666, 'never');
    const m = k.mount();
    const f1 = await m.open('never', 'r');
    const f2 = await m.open('never', 'r');
    const blockedRead = f1.read(Buffer.alloc(1));
    const blockedPoll = f2.poll(POLLIN);
    await new Promise((r) => setImmediate(r));
    await k.destroy_dev(dev);
    await expect(blockedRead).rejects.toMatchObject({ code: 'ENXIO' });
    const rev = await blockedPoll;
    expect(rev & (POLLNVAL | POLLERR)).not.toBe(0);
  });
});
