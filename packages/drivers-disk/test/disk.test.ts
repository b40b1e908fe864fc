import { Disk } from '../src/disk';
import { MallocStore } from '../src/store/malloc';

describe('Disk sector rules', () => {
  test('offset and length must be sector multiples (512 and 4096)', async () => {
    const d = new Disk(new MallocStore(64 * 1024), 512, 'md0');
    await expect(d.read(Buffer.alloc(512), 100)).rejects.toMatchObject({ code: 'EINVAL', syscall: 'read', path: 'md0' });
    await expect(d.read(Buffer.alloc(100), 0)).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(d.write(Buffer.alloc(513), 0)).rejects.toMatchObject({ code: 'EINVAL', syscall: 'write' });
    await expect(d.write(Buffer.alloc(512), -512)).rejects.toMatchObject({ code: 'EINVAL' });
    const d4 = new Disk(new MallocStore(64 * 1024), 4096);
    await expect(d4.write(Buffer.alloc(512), 0)).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(d4.write(Buffer.alloc(4096), 512)).rejects.toMatchObject({ code: 'EINVAL' });
    expect(await d4.write(Buffer.alloc(4096, 1), 4096)).toBe(4096);
  });

  test('bad sector size → EINVAL; media size rounds down to sectors', () => {
    expect(() => new Disk(new MallocStore(4096), 1000)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    const d = new Disk(new MallocStore(10000), 4096);
    expect(d.mediaSize).toBe(8192);
    expect(d.sectors).toBe(2);
  });

  test('reads at or past the end return 0; a read across the end is cut short', async () => {
    const d = new Disk(new MallocStore(4096));
    await d.write(Buffer.alloc(4096, 0x11), 0);
    expect(await d.read(Buffer.alloc(512), 4096)).toBe(0);
    expect(await d.read(Buffer.alloc(512), 1 << 20)).toBe(0);
    const buf = Buffer.alloc(2048, 0xff);
    expect(await d.read(buf, 3072)).toBe(1024);
    expect(buf.subarray(0, 1024).every((b) => b === 0x11)).toBe(true);
    expect(buf.subarray(1024).every((b) => b === 0xff)).toBe(true);
  });

  test('a write past the end → ENOSPC and nothing written', async () => {
    const store = new MallocStore(4096);
    const d = new Disk(store);
    await expect(d.write(Buffer.alloc(1024, 0x22), 3584)).rejects.toMatchObject({ code: 'ENOSPC' });
    await expect(d.write(Buffer.alloc(512, 0x22), 4096)).rejects.toMatchObject({ code: 'ENOSPC' });
    const all = Buffer.alloc(4096);
    await d.read(all, 0);
    expect(all.every((b) => b === 0)).toBe(true);
    expect(store.allocatedBytes).toBe(0);
  });
});
