import * as fs from 'fs';
import * as path from 'path';
import { D_DISK, FIODTYPE, FIONREAD } from '@devfs/core';
import { DIOCGFLUSH, DIOCGMEDIASIZE, DIOCGSECTORSIZE } from '../src';
import { MdFixture, mdFixture } from './support/md';
import { tempDir } from './support/images';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

describe('md driver: disks, I/O rules, ioctls, lifecycle', () => {
  let f: MdFixture;
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => { f = mdFixture(); t = tempDir(); });
  afterEach(async () => { await f.close(); t.cleanup(); });

  test('malloc disk: node, ioctls (media size, sector size, flush, FIODTYPE), unknown ioctl → ENOTTY', async () => {
    const name = await f.md.create({ type: 'malloc', size: 4 * MiB });
    expect(name).toBe('md0');
    expect(f.mount.stat('md0').isCharacterDevice()).toBe(true);
    const h = await f.mount.open('md0', 'r+');
    expect(await h.ioctl(DIOCGMEDIASIZE)).toBe(4 * MiB);
    expect(await h.ioctl(DIOCGSECTORSIZE)).toBe(512);
    expect(await h.ioctl(DIOCGFLUSH)).toBe(0);
    expect(await h.ioctl(FIODTYPE)).toBe(D_DISK);
    await expect(h.ioctl(FIONREAD)).rejects.toMatchObject({ code: 'ENOTTY' });
    await expect(h.ioctl(0x12345)).rejects.toMatchObject({ code: 'ENOTTY' });
    await h.close();
  });

  test('sector alignment, reads past the end, ENOSPC with nothing written, the file position advances', async () => {
    await f.md.create({ type: 'malloc', size: 64 * 1024 });
    const h = await f.mount.open('md0', 'r+');
    await expect(h.write(Buffer.alloc(100), 0)).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(h.read(Buffer.alloc(512), 100)).rejects.toMatchObject({ code: 'EINVAL' });
    expect(await h.read(Buffer.alloc(512), 64 * 1024)).toBe(0);
    await expect(h.write(Buffer.alloc(1024, 1), 63 * 1024 + 512)).rejects.toMatchObject({ code: 'ENOSPC' });
    const tail = Buffer.alloc(1024, 0xee);
    expect(await h.read(tail, 63 * 1024)).toBe(1024);
    expect(tail.every((b) => b === 0)).toBe(true);
    // Positionless I/O uses and advances the per-open position, like a regular file.
    expect(await h.write(Buffer.alloc(512, 0xa1))).toBe(512);
    expect(await h.write(Buffer.alloc(512, 0xa2))).toBe(512);
    expect(h.position).toBe(1024);
    const back = Buffer.alloc(1024);
    expect(await h.read(back, 0)).toBe(1024);
    expect(back[0]).toBe(0xa1);
    expect(back[600]).toBe(0xa2);
    await h.close();
  });

  test('4096-byte sectors: 512-byte I/O is EINVAL', async () => {
    await f.md.create({ type: 'malloc', size: MiB, sectorSize: 4096 });
    const h = await f.mount.open('md0', 'r+');
    expect(await h.ioctl(DIOCGSECTORSIZE)).toBe(4096);
    await expect(h.write(Buffer.alloc(512), 0)).rejects.toMatchObject({ code: 'EINVAL' });
    expect(await h.write(Buffer.alloc(4096, 3), 8192)).toBe(4096);
    await h.close();
  });

  test('bad create options → EINVAL and nothing created', async () => {
    await expect(f.md.create({ type: 'malloc' })).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(f.md.create({ type: 'malloc', size: 1000 })).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(f.md.create({ type: 'malloc', size: MiB, sectorSize: 1024 })).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(f.md.create({ type: 'vnode' })).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(f.md.create({ type: 'vnode', file: path.join(t.dir, 'missing') })).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(f.md.create({ type: 'tape' } as never)).rejects.toMatchObject({ code: 'EINVAL' });
    expect(f.md.list()).toEqual([]);
    expect(f.mount.readdir('')).toEqual([]);
    expect(await f.md.create({ type: 'malloc', size: MiB })).toBe('md0'); // no unit leaked
  });

  test('units: lowest free, explicit, EEXIST when taken; a lookup of a missing mdN creates nothing', async () => {
    expect(await f.md.create({ type: 'malloc', size: MiB })).toBe('md0');
    expect(await f.md.create({ type: 'malloc', size: MiB, unit: 5 })).toBe('md5');
    expect(await f.md.create({ type: 'malloc', size: MiB })).toBe('md1');
    await expect(f.md.create({ type: 'malloc', size: MiB, unit: 5 })).rejects.toMatchObject({ code: 'EEXIST' });
    await f.md.destroy('md0');
    expect(await f.md.create({ type: 'malloc', size: MiB })).toBe('md0');
    await expect(f.mount.open('md7', 'r')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(() => f.mount.stat('md7')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(f.kernel.lookupDev('md7')).toBeUndefined();
    expect(f.md.list()).toEqual(['md0', 'md1', 'md5']);
  });

  test('destroy: EBUSY while open; forced destroy makes the open handle fail with ENXIO', async () => {
    await f.md.create({ type: 'malloc', size: MiB });
    const h = await f.mount.open('md0', 'r+');
    await expect(f.md.destroy('md0')).rejects.toMatchObject({ code: 'EBUSY' });
    expect(await h.write(Buffer.alloc(512, 1), 0)).toBe(512); // still fine
    await f.md.destroy('md0', { force: true });
    await expect(h.read(Buffer.alloc(512), 0)).rejects.toMatchObject({ code: 'ENXIO' });
    await expect(h.write(Buffer.alloc(512), 0)).rejects.toMatchObject({ code: 'ENXIO' });
    expect(() => f.mount.stat('md0')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    await h.close().catch(() => undefined);
    await expect(f.md.destroy('md0')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test('destroy after close succeeds without force', async () => {
    await f.md.create({ type: 'malloc', size: MiB });
    const h = await f.mount.open('md0', 'r');
    await h.close();
    await f.md.destroy('md0');
    expect(f.md.list()).toEqual([]);
  });

  test('vnode disk: real positioned file I/O, size from the file, DIOCGFLUSH', async () => {
    const img = path.join(t.dir, 'disk.img');
    fs.writeFileSync(img, Buffer.alloc(MiB, 0x11));
    await f.md.create({ type: 'vnode', file: img });
    const h = await f.mount.open('md0', 'r+');
    expect(await h.ioctl(DIOCGMEDIASIZE)).toBe(MiB);
    await h.write(Buffer.alloc(4096, 0x77), 8192);
    expect(await h.ioctl(DIOCGFLUSH)).toBe(0);
    const raw = fs.readFileSync(img);
    expect(raw.subarray(8192, 12288).every((b) => b === 0x77)).toBe(true);
    expect(raw[8191]).toBe(0x11);
    await h.close();
  });

  test('vnode disk grown by size is sparse; limited by size stops at the limit', async () => {
    const img = path.join(t.dir, 'grow.img');
    await f.md.create({ type: 'vnode', file: img, size: 512 * MiB });
    expect(fs.statSync(img).size).toBe(512 * MiB);
    expect(fs.statSync(img).blocks * 512).toBeLessThan(4 * MiB);
    await f.md.destroy('md0');
    await f.md.create({ type: 'vnode', file: img, size: MiB });
    const h = await f.mount.open('md0', 'r+');
    expect(await h.ioctl(DIOCGMEDIASIZE)).toBe(MiB);
    await expect(h.write(Buffer.alloc(512), MiB)).rejects.toMatchObject({ code: 'ENOSPC' });
    await h.close();
  });

  test('a 64 GiB sparse malloc disk with 1 MiB written through the device uses about 1 MiB', async () => {
    const before = process.memoryUsage().arrayBuffers;
    await f.md.create({ type: 'malloc', size: 64 * GiB });
    const h = await f.mount.open('md0', 'r+');
    expect(await h.ioctl(DIOCGMEDIASIZE)).toBe(64 * GiB);
    const block = Buffer.alloc(64 * 1024, 0x42);
    for (let i = 0; i < 16; i++) await h.write(block, 1 * GiB + i * 3 * GiB);
    const delta = process.memoryUsage().arrayBuffers - before;
    // eslint-disable-next-line no-console
    console.log(`md0 (64 GiB malloc), 1 MiB written via the device: arrayBuffers +${(delta / MiB).toFixed(2)} MiB`);
    expect(delta).toBeLessThan(3 * MiB);
    await h.close();
  });
});
