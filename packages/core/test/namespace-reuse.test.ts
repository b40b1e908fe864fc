/**
 * A directory that empties and comes back ('w/probe' made and destroyed in a loop): the namespace
 * reuses the emptied directory's entry map and keeps removed subdirectories as tombstones (no
 * allocation per cycle), yet every re-creation is a new directory — new node, new inode in a
 * mount, attributes of the old one gone — and a node still held from before stays empty.
 */
import type { DeviceRegistry } from '../src/kernel/kernel';
import type { DirNode } from '../src/kernel/namespace';
import { bareKernel, plainsw } from './helpers';

const nsOf = (k: unknown) => (k as DeviceRegistry).ns; // white-box: internal to core

describe('a directory that empties and comes back', () => {
  test('is a new directory each time; the old node stays empty; a mount forgets its chmod', async () => {
    const k = bareKernel();
    const m = k.mount({ name: 'm' });
    const ns = nsOf(k);
    const first = k.make_dev(plainsw, 0, 0, 0, 0o600, 'w/probe');
    const oldDir = ns.lookupDir('w')!;
    const oldIno = m.stat('w').ino;
    m.chmod('w', 0o700);
    expect(m.stat('w').mode & 0o7777).toBe(0o700);
    await k.destroy_dev(first);
    expect(ns.lookup('w')).toBeUndefined();
    expect(() => m.stat('w')).toThrow(expect.objectContaining({ code: 'ENOENT' }));

    const second = k.make_dev(plainsw, 1, 0, 0, 0o600, 'w/other');
    const newDir = ns.lookupDir('w')!;
    expect(newDir).not.toBe(oldDir);
    expect(newDir.id).not.toBe(oldDir.id);
    expect(m.stat('w').ino).not.toBe(oldIno);
    expect(m.stat('w').mode & 0o7777).not.toBe(0o700);
    expect(m.readdir('w').map((e) => e.name)).toEqual(['other']);
    expect(m.stat('w/other').ino).toBe(second.inode);
    expect(() => m.stat('w/probe')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    // the node held from before: empty, whatever the new directory holds
    expect(oldDir.live).toBe(0);
    expect([...oldDir.entries.values()].filter((e) => e !== undefined)).toEqual([]);
    expect(oldDir.get('other')).toBeUndefined();
    expect(newDir.get('other')).toBe(second);
    m.unmount();
  });

  test('nested directories pruned together come back one by one, listing only what is there', async () => {
    const k = bareKernel();
    const m = k.mount();
    const ns = nsOf(k);
    for (let round = 0; round < 3; round++) {
      const c = k.make_dev(plainsw, 0, 0, 0, 0o600, 'a/b/c%d', round);
      const d = k.make_dev(plainsw, 1, 0, 0, 0o600, 'a/x%d', round);
      expect(m.readdir('a').map((e) => e.name)).toEqual(['b', `x${round}`]);
      expect(m.readdir('a/b').map((e) => e.name)).toEqual([`c${round}`]);
      expect(ns.lookup(`a/b/c${round}`)).toBe(c);
      await k.destroy_dev(c);
      expect(ns.lookup('a/b')).toBeUndefined();
      expect(m.readdir('a').map((e) => e.name)).toEqual([`x${round}`]);
      await k.destroy_dev(d);
      expect(ns.lookup('a')).toBeUndefined();
      expect(m.readdir('').map((e) => e.name)).toEqual([]);
    }
  });

  test('many subdirectories churned under one parent: live ones still resolve, tombstones stay bounded', async () => {
    const k = bareKernel();
    const m = k.mount();
    const keep = k.make_dev(plainsw, 0, 0, 0, 0o600, 'p/keep/dev');
    for (let i = 0; i < 300; i++) await k.destroy_dev(k.make_dev(plainsw, i, 0, 0, 0o600, 'p/s%d/dev', i));
    const p = nsOf(k).lookupDir('p') as DirNode;
    expect(p.subdirs!.size).toBeLessThanOrEqual(1 + 2 * 65);
    expect(p.get('keep')).toBe(nsOf(k).lookupDir('p/keep'));
    expect(p.get('s5')).toBeUndefined();
    expect(m.readdir('p').map((e) => e.name)).toEqual(['keep']);
    expect(m.stat('p/keep/dev').ino).toBe(keep.inode);
    // a device may take the name of a removed subdirectory
    const flat = k.make_dev(plainsw, 9, 0, 0, 0o600, 'p/s7');
    expect(p.get('s7')).toBe(flat);
    expect(m.readdir('p').map((e) => e.name)).toEqual(['keep', 's7']);
  });
});
