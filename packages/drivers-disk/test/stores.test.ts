import * as fs from 'fs';
import * as path from 'path';
import { MallocStore, MALLOC_CHUNK } from '../src/store/malloc';
import { VnodeStore } from '../src/store/vnode';
import { WindowStore } from '../src/store/window';
import { tempDir } from './support/images';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

describe('MallocStore', () => {
  test('round trip across chunk boundaries; holes read as zeros', async () => {
    const s = new MallocStore(4 * MALLOC_CHUNK);
    const data = Buffer.alloc(1000, 0xab);
    await s.write(data, MALLOC_CHUNK - 500);
    expect(s.allocatedBytes).toBe(2 * MALLOC_CHUNK);
    const out = Buffer.alloc(2000, 0xff);
    await s.read(out, MALLOC_CHUNK - 1000);
    expect(out.subarray(0, 500).every((b) => b === 0)).toBe(true);
    expect(out.subarray(500, 1500).equals(data)).toBe(true);
    expect(out.subarray(1500).every((b) => b === 0)).toBe(true);
    const hole = Buffer.alloc(512, 0xff);
    await s.read(hole, 3 * MALLOC_CHUNK);
    expect(hole.every((b) => b === 0)).toBe(true);
    expect(s.allocatedBytes).toBe(2 * MALLOC_CHUNK);
  });

  test('a 64 GiB disk with 1 MiB written uses about 1 MiB', async () => {
    const before = process.memoryUsage().arrayBuffers;
    const s = new MallocStore(64 * GiB);
    const block = Buffer.alloc(64 * 1024, 0x5a);
    // 16 blocks of 64 KiB spread over the whole disk (1 MiB in all).
    for (let i = 0; i < 16; i++) await s.write(block, Math.floor((i * 64 * GiB) / 16));
    const used = process.memoryUsage().arrayBuffers - before;
    expect(s.allocatedBytes).toBe(1 * MiB);
    // eslint-disable-next-line no-console
    console.log(`64 GiB malloc disk, 1 MiB written: arrayBuffers delta ${(used / MiB).toFixed(2)} MiB, allocated ${s.allocatedBytes / MiB} MiB`);
    expect(used).toBeLessThan(3 * MiB);
    const back = Buffer.alloc(64 * 1024);
    await s.read(back, 32 * GiB);
    expect(back.equals(block)).toBe(true);
    await s.close();
  });

  test('closed store → ENXIO; out-of-range access → EIO', async () => {
    const s = new MallocStore(1024);
    await expect(s.read(Buffer.alloc(512), 1024)).rejects.toMatchObject({ code: 'EIO' });
    await s.close();
    await expect(s.read(Buffer.alloc(512), 0)).rejects.toMatchObject({ code: 'ENXIO' });
  });
});

describe('VnodeStore', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => { t = tempDir(); });
  afterEach(() => t.cleanup());

  test('positioned reads and writes go to the file itself', async () => {
    const file = path.join(t.dir, 'img');
    fs.writeFileSync(file, Buffer.alloc(8192, 1));
    const s = await VnodeStore.open(file);
    expect(s.size).toBe(8192);
    await s.write(Buffer.alloc(512, 7), 4096);
    // Visible through plain fs right away (no buffering in the store).
    const disk = fs.readFileSync(file);
    expect(disk.subarray(4096, 4608).every((b) => b === 7)).toBe(true);
    expect(disk[4095]).toBe(1);
    fs.writeFileSync(file, Buffer.alloc(512, 9), { flag: 'r+' });
    const back = Buffer.alloc(512);
    await s.read(back, 0);
    expect(back.every((b) => b === 9)).toBe(true);
    await s.flush();
    await s.close();
    await expect(s.read(back, 0)).rejects.toMatchObject({ code: 'ENXIO' });
  });

  test('size grows a file sparsely, limits a larger one, and is rounded to sectors', async () => {
    const grown = path.join(t.dir, 'grown');
    const s1 = await VnodeStore.open(grown, { size: 256 * MiB });
    expect(s1.size).toBe(256 * MiB);
    const st = fs.statSync(grown);
    expect(st.size).toBe(256 * MiB);
    expect(st.blocks * 512).toBeLessThan(1 * MiB);
    await s1.close();

    const big = path.join(t.dir, 'big');
    fs.writeFileSync(big, Buffer.alloc(10000));
    const s2 = await VnodeStore.open(big, { size: 4096 });
    expect(s2.size).toBe(4096);
    expect(fs.statSync(big).size).toBe(10000);
    await s2.close();

    const s3 = await VnodeStore.open(big, { sectorSize: 512 });
    expect(s3.size).toBe(9728);
    await s3.close();
  });

  test('missing file without size → ENOENT; a directory → EINVAL', async () => {
    await expect(VnodeStore.open(path.join(t.dir, 'nope'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(VnodeStore.open(t.dir)).rejects.toMatchObject({ code: expect.stringMatching(/EINVAL|EISDIR/) });
  });
});

describe('WindowStore', () => {
  test('offsets into the parent and refuses to leave its window', async () => {
    const parent = new MallocStore(8192);
    const w = new WindowStore(parent, 2048, 1024);
    await w.write(Buffer.alloc(1024, 3), 0);
    const all = Buffer.alloc(8192);
    await parent.read(all, 0);
    expect(all.subarray(2048, 3072).every((b) => b === 3)).toBe(true);
    expect(all[2047]).toBe(0);
    expect(all[3072]).toBe(0);
    await expect(w.write(Buffer.alloc(512), 768)).rejects.toMatchObject({ code: 'EIO' });
    expect(() => new WindowStore(parent, 8000, 512)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    await w.close();
    await expect(w.read(Buffer.alloc(512), 0)).rejects.toMatchObject({ code: 'ENXIO' });
    await parent.read(all, 0); // parent still usable
  });
});
