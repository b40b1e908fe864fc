import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { describeHost, needTool } from '../../../test-support/host';
import { DIOCGMEDIASIZE } from '../src';
import { MdFixture, copyIn, copyOut, mdFixture } from './support/md';
import {
  GPT_SCRIPT, MBR_SCRIPT, backupLba, nodeIndex, patchGptHeader, sfdiskImage, sfdiskJson, tempDir,
} from './support/images';

const MiB = 1024 * 1024;

describeHost('md partitions on real sfdisk images', [needTool('sfdisk')], () => {
  let f: MdFixture;
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => { f = mdFixture(); t = tempDir(); });
  afterEach(async () => { await f.close(); t.cleanup(); });

  test('GPT vnode disk: mdNpK children match sfdisk --json; gpt/<label> links, sanitised', async () => {
    const img = path.join(t.dir, 'gpt.img');
    sfdiskImage(img, 16 * MiB, GPT_SCRIPT);
    const name = await f.md.create({ type: 'vnode', file: img });
    const theirs = sfdiskJson(img).partitions;
    const info = f.md.info(name);
    expect(info.scheme).toBe('gpt');
    expect(info.partitions.map((p) => [p.name, p.start, p.sectors, p.name_on_media])).toEqual(
      theirs.map((p) => [`md0p${nodeIndex(p.node)}`, p.start, p.size, p.name]));
    for (const p of theirs) {
      const h = await f.mount.open(`md0p${nodeIndex(p.node)}`, 'r');
      expect(await h.ioctl(DIOCGMEDIASIZE)).toBe(p.size * 512);
      await h.close();
    }
    expect(f.mount.readdir('gpt').map((d) => [d.name, d.type])).toEqual([
      ['boot', 'symlink'], ['root_fs', 'symlink'], ['data_x', 'symlink'],
    ]);
    expect(f.mount.stat('gpt/root_fs').rdev).toBe(f.mount.stat('md0p2').rdev);
    expect(f.mount.readlink('gpt/boot')).toMatch(/(^|\/)md0p1$/);
  });

  test('partition I/O is an offset, bounds-checked window onto the image', async () => {
    const img = path.join(t.dir, 'gpt.img');
    sfdiskImage(img, 16 * MiB, GPT_SCRIPT);
    await f.md.create({ type: 'vnode', file: img });
    const p2 = await f.mount.open('gpt/root_fs', 'r+');
    const start = 6144 * 512, size = 8192 * 512;
    await p2.write(Buffer.alloc(512, 0x5c), 0);
    await p2.write(Buffer.alloc(512, 0x5d), size - 512);
    await expect(p2.write(Buffer.alloc(1024, 0x99), size - 512)).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(await p2.read(Buffer.alloc(512), size)).toBe(0);
    await expect(p2.read(Buffer.alloc(512), 17)).rejects.toMatchObject({ code: 'EINVAL' });
    const raw = fs.readFileSync(img);
    expect(raw.subarray(start, start + 512).every((b) => b === 0x5c)).toBe(true);
    expect(raw.subarray(start + size - 512, start + size).every((b) => b === 0x5d)).toBe(true);
    expect(raw.subarray(start + size, start + size + 512).every((b) => b === 0)).toBe(true);
    await p2.close();
  });

  test('MBR vnode disk: md0s1, md0s2 (extended), md0s5, md0s6 match sfdisk --json', async () => {
    const img = path.join(t.dir, 'mbr.img');
    sfdiskImage(img, 16 * MiB, MBR_SCRIPT);
    await f.md.create({ type: 'vnode', file: img });
    const info = f.md.info('md0');
    expect(info.scheme).toBe('mbr');
    expect(info.partitions.map((p) => [p.name, p.start, p.sectors, p.type])).toEqual(
      sfdiskJson(img).partitions.map((p) => [`md0s${nodeIndex(p.node)}`, p.start, p.size, p.type]));
    expect(f.mount.readdir('').map((d) => d.name)).toEqual(['md0', 'md0s1', 'md0s2', 'md0s5', 'md0s6']);
  });

  test('rewriting the table through the disk device replaces the children, with events', async () => {
    const gpt = path.join(t.dir, 'gpt.img');
    const mbr = path.join(t.dir, 'mbr.img');
    sfdiskImage(gpt, 16 * MiB, GPT_SCRIPT);
    sfdiskImage(mbr, 16 * MiB, MBR_SCRIPT);
    await f.md.create({ type: 'malloc', size: 16 * MiB });
    expect(f.md.info('md0').partitions).toEqual([]);
    const h = await f.mount.open('md0', 'r+');
    await copyIn(gpt, h);
    expect(f.md.info('md0').partitions.map((p) => p.name)).toEqual(['md0p1', 'md0p2', 'md0p3']);
    const gptDevs = ['md0p1', 'md0p2', 'md0p3'].map((n) => f.mount.stat(n).rdev);
    await copyIn(mbr, h);
    // The MBR image has no GPT left; sector 0 is now a plain MBR.
    expect(f.md.info('md0').partitions.map((p) => p.name)).toEqual(['md0s1', 'md0s2', 'md0s5', 'md0s6']);
    expect(() => f.mount.stat('md0p1')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(() => f.mount.stat('gpt/boot')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    const changes = await f.notices('table-changed');
    const names = changes.map((e) => (e.data!.partitions as Array<{ name: string }>).map((p) => p.name));
    // The copy goes 1 MiB at a time, so the EBRs further in appear one write after another.
    expect(names[0]).toEqual(['md0p1', 'md0p2', 'md0p3']);
    expect(names[names.length - 1]).toEqual(['md0s1', 'md0s2', 'md0s5', 'md0s6']);
    expect(changes.every((e) => e.name === 'md0')).toBe(true);
    const unreg = f.events.filter((e) => e.type === 'UNREGISTER').map((e) => e.name);
    expect(unreg).toEqual(expect.arrayContaining(['md0p1', 'md0p2', 'md0p3', 'gpt/boot', 'gpt/root_fs', 'gpt/data_x']));
    expect(gptDevs.length).toBe(3);
    // Erasing sector 0 removes every child.
    await h.write(Buffer.alloc(512), 0);
    expect(f.md.info('md0').partitions).toEqual([]);
    expect(f.mount.readdir('').map((d) => d.name)).toEqual(['md0']);
    await h.close();
  });

  test('writes that leave the table alone do not rescan; rescan() re-reads on demand', async () => {
    const gpt = path.join(t.dir, 'gpt.img');
    sfdiskImage(gpt, 16 * MiB, GPT_SCRIPT);
    await f.md.create({ type: 'vnode', file: gpt });
    const before = (await f.notices()).length;
    const h = await f.mount.open('md0', 'r+');
    await h.write(Buffer.alloc(MiB, 1), 4 * MiB);
    expect((await f.notices()).length).toBe(before);
    // Change the table behind the driver's back (sfdisk on the image), then rescan.
    const p1 = await f.mount.open('md0p1', 'r');
    const p1ino = f.mount.stat('md0p1').ino;
    execFileSync('sfdisk', ['-q', '--no-reread', '--no-tell-kernel', '--delete', gpt, '3']);
    expect(f.md.info('md0').partitions).toHaveLength(3);
    const r = await f.md.rescan('md0');
    expect(r).toMatchObject({ ok: true, scheme: 'gpt' });
    expect(f.md.info('md0').partitions.map((p) => p.name)).toEqual(['md0p1', 'md0p2']);
    expect(() => f.mount.stat('gpt/data_x')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    // Unchanged partitions keep their node and their open handles.
    expect(f.mount.stat('md0p1').ino).toBe(p1ino);
    expect(await p1.read(Buffer.alloc(512), 0)).toBe(512);
    await p1.close();
    await h.close();
  });

  test('a write through the extended partition that erases an EBR rescans the disk', async () => {
    const img = path.join(t.dir, 'mbr.img');
    sfdiskImage(img, 16 * MiB, MBR_SCRIPT);
    await f.md.create({ type: 'vnode', file: img });
    await f.kernel.events.flush(); // deliver create's own table-changed first
    const changed = f.kernel.events.once('NOTIFY', (e) => e.data?.event === 'table-changed', 5000);
    const ext = await f.mount.open('md0s2', 'r+');
    await ext.write(Buffer.alloc(512), 0); // the first EBR sits at the start of the extended partition
    const e = await changed;
    expect((e.data!.partitions as Array<{ name: string }>).map((p) => p.name)).toEqual(['md0s1', 'md0s2']);
    expect(f.md.info('md0').partitions.map((p) => p.name)).toEqual(['md0s1', 'md0s2']);
    expect(await ext.read(Buffer.alloc(512), 512)).toBe(512); // md0s2 itself did not change
    await ext.close();
  });

  test('a corrupt GPT is reported by an event and changes nothing; a good backup is used with a warning', async () => {
    const img = path.join(t.dir, 'gpt.img');
    sfdiskImage(img, 16 * MiB, GPT_SCRIPT);
    patchGptHeader(img, 1, (h) => { h[16] ^= 0xff; }, false);
    await f.md.create({ type: 'vnode', file: img });
    expect(f.md.info('md0').partitions).toHaveLength(3);
    const warn = await f.notices('table-warnings');
    expect(String((warn[0].data!.warnings as string[])[0])).toMatch(/using the backup/);

    const before = f.md.info('md0').partitions;
    const p1 = await f.mount.open('md0p1', 'r');
    patchGptHeader(img, backupLba(img), (h) => { h[16] ^= 0xff; }, false);
    const r = await f.md.rescan('md0');
    expect(r).toMatchObject({ ok: false, fault: 'bad-header-crc', error: { code: 'EINVAL' } });
    // the children of the last good table stay, and so do their open handles
    expect(f.md.info('md0')).toMatchObject({ scheme: 'gpt', fault: 'bad-header-crc', partitions: before });
    expect(await p1.read(Buffer.alloc(512), 0)).toBe(512);
    await p1.close();
    const bad = await f.notices('table-corrupt');
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatchObject({ name: 'md0', data: { fault: 'bad-header-crc' } });
    // The disk itself is still usable.
    const h = await f.mount.open('md0', 'r');
    expect(await h.read(Buffer.alloc(512), 0)).toBe(512);
    await h.close();
  });

  test('a truncated GPT image attaches as a disk without partitions and an event', async () => {
    const img = path.join(t.dir, 'gpt.img');
    sfdiskImage(img, 16 * MiB, GPT_SCRIPT);
    fs.truncateSync(img, 5 * MiB);
    await f.md.create({ type: 'vnode', file: img });
    expect(f.md.info('md0')).toMatchObject({ fault: 'truncated', partitions: [] });
    expect(await f.notices('table-corrupt')).toHaveLength(1);
  });

  test('a forced destroy racing a table write finishes (no deadlock) and leaves nothing behind', async () => {
    const img = path.join(t.dir, 'gpt.img');
    sfdiskImage(img, 16 * MiB, GPT_SCRIPT);
    const head = fs.readFileSync(img).subarray(0, MiB);
    await f.md.create({ type: 'malloc', size: 16 * MiB });
    const h = await f.mount.open('md0', 'r+');
    const write = h.write(head, 0).catch((e: { code?: string }) => e.code);
    await f.md.destroy('md0', { force: true });
    const w = await write;
    expect([MiB, 'ENXIO']).toContain(w);
    await h.close().catch(() => undefined);
    expect(f.mount.readdir('')).toEqual([]);
    expect(f.md.list()).toEqual([]);
  });

  test('destroying the disk destroys its partitions and label links; busy partition → EBUSY', async () => {
    const img = path.join(t.dir, 'gpt.img');
    sfdiskImage(img, 16 * MiB, GPT_SCRIPT);
    await f.md.create({ type: 'vnode', file: img });
    const p = await f.mount.open('gpt/boot', 'r');
    await expect(f.md.destroy('md0')).rejects.toMatchObject({ code: 'EBUSY' });
    await p.close();
    await f.md.destroy('md0');
    expect(f.mount.readdir('')).toEqual([]);
    for (const n of ['md0', 'md0p1', 'md0p2', 'md0p3', 'gpt/boot']) expect(f.kernel.lookupDev(n)).toBeUndefined();
  });
});

describeHost('ext4 through a partition of a malloc disk', [needTool('sfdisk'), needTool('mkfs.ext4'), needTool('e2fsck')], () => {
  let f: MdFixture;
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => { f = mdFixture(); t = tempDir(); });
  afterEach(async () => { await f.close(); t.cleanup(); });

  test('mkfs.ext4 image → md0p1 → back out to a file: identical bytes, e2fsck -fn clean', async () => {
    const fsImg = path.join(t.dir, 'fs.ext4');
    fs.writeFileSync(fsImg, '');
    fs.truncateSync(fsImg, 16 * MiB);
    execFileSync('mkfs.ext4', ['-q', '-F', '-L', 'devfs', '-E', 'root_owner=0:0', fsImg], { stdio: 'pipe' });
    const table = path.join(t.dir, 'table.img');
    sfdiskImage(table, 32 * MiB, 'label: gpt\nstart=2048, size=32768, name="data"\n');

    await f.md.create({ type: 'malloc', size: 32 * MiB });
    const disk = await f.mount.open('md0', 'r+');
    await copyIn(table, disk);
    await disk.close();
    expect(f.md.info('md0').partitions.map((p) => [p.name, p.label])).toEqual([['md0p1', 'data']]);

    const part = await f.mount.open('gpt/data', 'r+');
    expect(await copyIn(fsImg, part)).toBe(16 * MiB);
    await part.close();

    const out = path.join(t.dir, 'out.ext4');
    const back = await f.mount.open('md0p1', 'r');
    await copyOut(back, out, 16 * MiB);
    await back.close();
    expect(fs.readFileSync(out).equals(fs.readFileSync(fsImg))).toBe(true);
    const r = spawnSync('e2fsck', ['-fn', out], { encoding: 'utf8' });
    expect({ status: r.status, out: r.stdout + r.stderr }).toMatchObject({ status: 0 });
    expect(r.stdout).toMatch(/devfs: \d+\/\d+ files/);
  });
});
