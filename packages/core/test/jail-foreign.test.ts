/**
 * Issue 13 item 6: a device adopted from a foreign registrar (an inode a native thread inserted,
 * like the tap driver's netlink thread does for interfaces that exist when the daemon starts)
 * goes through the ruleset view like any other: a jail mount whose ruleset hides it never shows
 * it, whatever the order of insert, mount creation and adoption.
 */
import { native } from '@devfs/native';
import { createKernel } from '@devfs/core';
import type { Cdev, Kernel } from '@devfs/core';

/** A tag no shipped driver uses (the tap driver's is 2). */
const TAG = 0x6a6c;

/** Inserts an inode as a foreign registrar would (what the netlink thread does for `ip tuntap add`). */
function foreignInsert(name: string): { ino: number; gen: number } {
  const key = native.inodeInsert(TAG, name);
  expect(key).toBeGreaterThan(0);
  return { ino: key % 0x1000000, gen: Math.floor(key / 0x1000000) };
}

describe('foreign adoption goes through the ruleset view', () => {
  let kernel: Kernel;
  let adopted: Cdev[];
  let off: () => void;

  beforeEach(() => {
    kernel = createKernel();
    adopted = [];
    off = kernel.onForeign(TAG, (ino, gen, name) => {
      adopted.push(kernel.make_dev_s({ devsw: { d_name: 'ftest' }, adoptInode: { ino, gen } }, name));
    });
  });

  afterEach(async () => {
    off();
    for (const d of adopted) await kernel.destroy_dev(d);
  });

  test('inserted before the jail mount exists, adopted after it: hidden in the jail, shown in the host mount', () => {
    foreignInsert('tap41');
    // The daemon's order: the drivers attach (the thread inserts), then the mounts are created
    // (the jail's ruleset view reads the log past the insert), then the insert is adopted.
    const jail = kernel.mount({ name: 'jail', ruleset: 'devfsrules_jail', jail: true });
    const host = kernel.mount({ name: 'host' });
    expect(jail.readdir('').map((d) => d.name)).not.toContain('tap41');
    expect(adopted.map((d) => d.si_name)).toEqual(['tap41']);
    expect(() => jail.stat('tap41')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(host.readdir('').map((d) => d.name)).toContain('tap41');
    expect(jail.readdir('').map((d) => d.name)).toEqual(expect.arrayContaining(['null', 'zero']));
  });

  test('adopted only after the jail already read the insert (a late adopter, a rescan): still hidden', async () => {
    const jail = kernel.mount({ name: 'jail2', ruleset: 'devfsrules_jail', jail: true });
    off();
    foreignInsert('tap42');
    jail.readdir(''); // the jail's view reads the insert while nobody adopts this tag
    off = kernel.onForeign(TAG, (ino, gen, name) => {
      adopted.push(kernel.make_dev_s({ devsw: { d_name: 'ftest' }, adoptInode: { ino, gen } }, name));
    });
    const list = (native as unknown as { inodeForeignList(tag: number): number[] }).inodeForeignList(TAG);
    for (let i = 0; i + 1 < list.length; i += 2) {
      const name = native.inodeForeignName(list[i], list[i + 1]);
      if (name === 'tap42') adopted.push(kernel.make_dev_s({ devsw: { d_name: 'ftest' }, adoptInode: { ino: list[i], gen: list[i + 1] } }, name));
    }
    expect(kernel.lookupDev('tap42')).toBeDefined();
    expect(jail.readdir('').map((d) => d.name)).not.toContain('tap42');
    await expect(jail.open('tap42', 'r')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test('a jail mount with a ruleset that shows it still shows it (the view evaluates, it does not just hide)', () => {
    kernel.rules.load('[showtap=60]\nadd include 4\nadd path tap43 unhide\n', 'test.rules');
    foreignInsert('tap43');
    const jail = kernel.mount({ name: 'jail3', ruleset: 'showtap', jail: true });
    const hiding = kernel.mount({ name: 'jail4', ruleset: 'devfsrules_jail', jail: true });
    expect(jail.readdir('').map((d) => d.name)).toContain('tap43');
    expect(hiding.readdir('').map((d) => d.name)).not.toContain('tap43');
  });
});
