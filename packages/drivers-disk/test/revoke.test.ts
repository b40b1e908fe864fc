/**
 * Use after close (issue 14): a vnode md disk keeps its image open on one host fd. After
 * `destroy(name, { force: true })` or `detach()`, handles still open on the disk and on its
 * partitions fail with ENXIO, and never reach that fd number — the host hands it to the next file
 * opened. A read running while the disk is destroyed finishes against the image, not a reused fd.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DevFile } from '@devfs/core';
import { describeHost, needTool } from '../../../test-support/host';
import { victimsOn } from '../../../test-support/fd-reuse';
import { DIOCGMEDIASIZE } from '../src';
import { MdFixture, mdFixture } from './support/md';
import { MBR_SCRIPT, sfdiskImage, tempDir } from './support/images';

const MiB = 1024 * 1024;

/** Numbers of this process's fds open on `file`. */
function fdsOn(file: string): number[] {
  const out: number[] = [];
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      if (fs.readlinkSync(`/proc/self/fd/${fd}`) === file) out.push(Number(fd));
    } catch { /* closed meanwhile */ }
  }
  return out;
}

/** Every call on the stale handles is ENXIO while files hold the image's old fd number. */
async function expectStale(handles: DevFile[], numbers: number[]): Promise<void> {
  const victims = victimsOn(numbers, 'md-revoke');
  try {
    for (const h of handles) {
      await expect(h.write(Buffer.alloc(512, 0xee), 0)).rejects.toMatchObject({ code: 'ENXIO' });
      await expect(h.read(Buffer.alloc(512), 0)).rejects.toMatchObject({ code: 'ENXIO' });
      await expect(h.ioctl(DIOCGMEDIASIZE)).rejects.toMatchObject({ code: 'ENXIO' });
    }
    for (const h of handles) await h.close();
    victims.check(); // reads each file once: content and offset unchanged
  } finally {
    victims.remove();
  }
}

describeHost('md handles after destroy or detach', [needTool('sfdisk')], () => {
  let f: MdFixture;
  let t: ReturnType<typeof tempDir>;
  let img: string;
  beforeEach(() => {
    f = mdFixture();
    t = tempDir();
    img = path.join(t.dir, 'mbr.img');
    sfdiskImage(img, 16 * MiB, MBR_SCRIPT);
  });
  afterEach(async () => { await f.close(); t.cleanup(); });

  /** A vnode disk on the image with the disk and two partitions open; the image's fd number. */
  async function openDisk(): Promise<{ handles: DevFile[]; numbers: number[] }> {
    await f.md.create({ type: 'vnode', file: img });
    const handles = [await f.mount.open('md0', 'r+'), await f.mount.open('md0s1', 'r+'), await f.mount.open('md0s5', 'r+')];
    const numbers = fdsOn(img);
    expect(numbers).toHaveLength(1);
    return { handles, numbers };
  }

  test('destroy --force: disk and partition handles are ENXIO and never touch the fd that reuses the image\'s number', async () => {
    const { handles, numbers } = await openDisk();
    const image = fs.readFileSync(img);
    await expect(f.md.destroy('md0')).rejects.toMatchObject({ code: 'EBUSY' });
    await f.md.destroy('md0', { force: true });
    expect(fdsOn(img)).toEqual([]);
    await expectStale(handles, numbers);
    expect(fs.readFileSync(img).equals(image)).toBe(true);
  });

  test('detach: the same for every disk; a read running across the destroy ends without reaching a reused fd', async () => {
    const { handles, numbers } = await openDisk();
    const running = handles[0].read(Buffer.alloc(8 * MiB), 0).then((n) => ({ n }), (e: { code?: string }) => ({ code: e.code }));
    await f.md.detach();
    const r = await running; // destroy_dev waits for it: it completes (or, had it not started, is ENXIO)
    if ('n' in r) expect(r.n).toBe(8 * MiB);
    else expect(r.code).toBe('ENXIO');
    expect(f.md.list()).toEqual([]);
    expect(fdsOn(img)).toEqual([]);
    await expectStale(handles, numbers);
  });

  test('bad arguments are EINVAL before anything changes', async () => {
    await f.md.create({ type: 'malloc', size: MiB });
    for (const name of [undefined, null, 5, {}]) {
      await expect(f.md.destroy(name as unknown as string)).rejects.toMatchObject({ code: 'EINVAL', syscall: 'md.destroy' });
      expect(() => f.md.info(name as unknown as string)).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'md.info' }));
    }
    await expect(f.md.destroy('md0', null as unknown as { force?: boolean })).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(f.md.destroy('md0', { force: 'yes' } as unknown as { force?: boolean })).rejects.toMatchObject({ code: 'EINVAL' });
    for (const unit of [-1, 1.5, 32768, 2 ** 31 - 1, '1']) {
      await expect(f.md.create({ type: 'malloc', size: MiB, unit: unit as number })).rejects.toMatchObject({ code: 'EINVAL', syscall: 'md.create' });
    }
    await expect(f.md.create({ type: 'malloc', size: MiB, unit: 0 })).rejects.toMatchObject({ code: 'EEXIST', syscall: 'md.create', message: 'EEXIST: md0 exists' });
    expect(f.md.list()).toEqual(['md0']);
  });
});
