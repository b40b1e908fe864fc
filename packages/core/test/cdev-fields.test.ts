/**
 * A Cdev keeps six fields (kernel/cdev.ts): inode and slot generation packed in one number, unit
 * and the SI_* bits in another, driver/owner/group/mode/creation time in one interned Perm, and
 * one slot for si_drv1 or the CdevExt that takes it over. Every public field must read back what
 * was given, over the whole range each accepts, and stay independent of the others.
 */
import { packKey } from '@devfs/native';
import { Cdev, SI_ALIAS, SI_CLONED, SI_DYING, TIME_ORIGIN } from '../src/kernel/cdev';
import { bareKernel, plainsw } from './helpers';

const sw = { d_name: 'fields' };
const make = (unit: number, inode: number, gen: number, flags = 0): Cdev =>
  new Cdev('x', sw, unit, 1, 2, 0o640, packKey(inode, gen), 77, flags);

describe('Cdev packed fields', () => {
  test.each([0, 1, 255, 256, 2 ** 23 - 1, 2 ** 23, 0xffffffff, -1, -256, -0x80000000])('unit %d reads back with every flag combination', (unit) => {
    for (const flags of [0, SI_ALIAS, SI_DYING | SI_CLONED, 0x7f]) {
      const d = make(unit, 3, 1, flags);
      expect(d.unit).toBe(unit);
      expect(d.flags).toBe(flags);
      d.flags |= SI_DYING;
      expect(d.flags).toBe(flags | SI_DYING);
      d.flags &= ~SI_DYING;
      expect(d.flags).toBe(flags & ~SI_DYING);
      expect(d.unit).toBe(unit);
    }
  });

  test.each([[3, 1], [0xffffff, 1], [3, 127], [3, 128], [0xabcdef, 2 ** 29 - 1]])('inode %d, generation %d read back (rdev too)', (inode, gen) => {
    const d = make(5, inode, gen, SI_CLONED);
    expect(d.inode).toBe(inode);
    expect(d.rdev).toBe(inode);
    expect(d.gen).toBe(gen);
    expect(d.unit).toBe(5);
    expect(d.flags).toBe(SI_CLONED);
  });

  test('si_drv1 moves into the rare-state record when one is made, and stays the same value', () => {
    const d = make(0, 3, 1);
    expect(d.si_drv1).toBeUndefined();
    expect(d.ext).toBeUndefined();
    const softc = { name: 'softc' };
    d.si_drv1 = softc;
    expect(d.ext).toBeUndefined();
    d.si_drv2 = 'two'; // makes the record
    expect(d.ext).toBeDefined();
    expect(d.si_drv1).toBe(softc);
    expect(d.si_drv2).toBe('two');
    d.si_drv1 = 42;
    expect(d.si_drv1).toBe(42);
    expect(d.x()).toBe(d.ext);
    d.flags |= SI_ALIAS; // the record's marker is not one of the flags
    expect(d.flags).toBe(SI_ALIAS);
    d.flags = 0;
    expect(d.ext).toBeDefined();
    expect(d.si_drv1).toBe(42);
    d.usecount = 2;
    expect(d.usecount).toBe(2);
  });

  test('owner, group and mode change alone; creation time and driver stay', () => {
    const before = Date.now();
    const d = make(0, 3, 1);
    const ctime = d.ctimeMs;
    expect(ctime).toBeGreaterThanOrEqual(before - 1);
    expect(ctime).toBeLessThanOrEqual(Date.now() + 1);
    d.uid = 10;
    d.gid = 20;
    d.mode = 0o600;
    expect([d.uid, d.gid, d.mode, d.ctimeMs, d.si_devsw]).toEqual([10, 20, 0o600, ctime, sw]);
    expect(d.ctick).toBe(ctime - TIME_ORIGIN);
  });

  test('devices made by a kernel keep their own unit, inode, softc and creation time', () => {
    const k = bareKernel();
    const devs = Array.from({ length: 50 }, (_, i) => k.make_dev_s({ devsw: plainsw, unit: 1000 + i, mode: 0o600, drv1: { i } }, 'f%d', i));
    devs.forEach((d, i) => {
      expect(d.unit).toBe(1000 + i);
      expect(k.lookupDev(`f${i}`)).toBe(d);
      expect((d.si_drv1 as { i: number }).i).toBe(i);
      expect(k.mount().stat(`f${i}`).ino).toBe(d.inode);
      expect(k.mount().stat(`f${i}`).birthtimeMs).toBe(d.ctimeMs);
    });
    expect(new Set(devs.map((d) => d.inode)).size).toBe(50);
  });
});
