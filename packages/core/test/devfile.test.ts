import { Writable } from 'stream';
import { pipeline } from 'stream/promises';
import {
  createKernel, Cdevsw, Cdev, D_TRACKCLOSE, D_AUTOOWN, D_MEM, FIODTYPE, FIODGNAME, FIONBIO, FIONREAD,
  O_RDONLY, O_NONBLOCK, POLLIN, POLLOUT, SelInfo, selrecord, selwakeup, devfsError, MAKEDEV_REF,
} from '@devfs/core';
import { alice, bareKernel, plainsw, until } from './helpers';

describe('open files', () => {
  test('O_NONBLOCK gets EAGAIN; a blocking read waits for selwakeup; FIONBIO switches', async () => {
    const k = bareKernel();
    const sel = new SelInfo();
    const queue: Buffer[] = [];
    const sw: Cdevsw = {
      d_name: 'q',
      d_read: (_d, buf) => {
        const b = queue.shift();
        if (!b) throw devfsError('EAGAIN', 'read');
        return b.copy(buf);
      },
      d_poll: (_d, ev, file) => {
        if (queue.length) return ev & POLLIN;
        selrecord(file, sel);
        return 0;
      },
    };
    k.make_dev(sw, 0, 0, 0, 0o666, 'q');
    const m = k.mount();
    const nb = await m.open('q', O_RDONLY | O_NONBLOCK);
    await expect(nb.read(Buffer.alloc(4))).rejects.toMatchObject({ code: 'EAGAIN' });
    const f = await m.open('q', 'r');
    const buf = Buffer.alloc(8);
    const pending = f.read(buf);
    await new Promise((r) => setImmediate(r));
    queue.push(Buffer.from('hello'));
    selwakeup(sel);
    await expect(pending).resolves.toBe(5);
    expect(buf.subarray(0, 5).toString()).toBe('hello');
    await f.ioctl(FIONBIO, 1);
    await expect(f.read(buf)).rejects.toMatchObject({ code: 'EAGAIN' });
    expect(await f.poll(POLLIN, 10)).toBe(0);
    await f.close();
    await nb.close();
    await expect(f.close()).rejects.toMatchObject({ code: 'EBADF' });
  });

  test('generic ioctls; unknown ioctls are ENOTTY; missing read is ENODEV', async () => {
    const k = createKernel();
    const m = k.mount();
    const f = await m.open('zero', 'r');
    expect(await f.ioctl(FIODTYPE)).toBe(D_MEM);
    expect(await f.ioctl(FIODGNAME)).toBe('zero');
    await expect(f.ioctl(0x1234)).rejects.toMatchObject({ code: 'ENOTTY' });
    await expect(f.ioctl(FIONREAD)).rejects.toMatchObject({ code: 'ENOTTY' });
    expect(await f.poll(POLLIN | POLLOUT)).toBe(POLLIN | POLLOUT);
    await f.close();
    k.make_dev(plainsw, 0, 0, 0, 0o666, 'plain');
    const p = await m.open('plain', 'r+');
    await expect(p.read(Buffer.alloc(1))).rejects.toMatchObject({ code: 'ENODEV' });
    await expect(p.write(Buffer.alloc(1))).rejects.toMatchObject({ code: 'ENODEV' });
    const ro = await m.open('zero', 'r');
    await expect(ro.write(Buffer.alloc(1))).rejects.toMatchObject({ code: 'EBADF' });
    await ro.close();
    await expect(m.open('zero', 'bogus')).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(m.open('', 'r')).rejects.toMatchObject({ code: 'EISDIR' });
  });

  test.each([[0, 1], [D_TRACKCLOSE, 3]])('d_close with d_flags %i runs %i time(s) for three opens', async (flags, expected) => {
    const k = bareKernel();
    const closes = jest.fn();
    k.make_dev({ d_name: 't', d_flags: flags, d_close: closes }, 0, 0, 0, 0o666, 't');
    const m = k.mount();
    const files = [await m.open('t', 'r'), await m.open('t', 'r'), await m.open('t', 'r')];
    await files[0].close();
    await files[1].close();
    expect(closes).toHaveBeenCalledTimes(flags ? 2 : 0);
    await files[2].close();
    expect(closes).toHaveBeenCalledTimes(expected);
  });

  test('fdclone: each open gets its own handle; closing it destroys its device', async () => {
    const k = bareKernel();
    const units = k.unitAllocator();
    const cloner: Cdevsw = {
      d_name: 'cloner',
      d_fdopen: (_dev, _flags, file) => {
        const u = units.alloc();
        const child = k.make_dev_s({ devsw: plainsw, unit: u, flags: MAKEDEV_REF, mode: 0o600 }, 'inst/%d', u);
        k.fdclone(file, {
          fo_read: (f, buf) => Buffer.from(`unit${(f.data as Cdev).unit}`).copy(buf),
          fo_close: async (f) => { const d = f.data as Cdev; await k.destroy_dev(d); units.free(d.unit); },
        }, child);
      },
    };
    k.make_dev(cloner, 0, 0, 0, 0o666, 'cloner');
    const m = k.mount();
    const a = await m.open('cloner', 'r');
    const b = await m.open('cloner', 'r');
    expect(a.dev).toBeUndefined();
    const buf = Buffer.alloc(10);
    expect(buf.subarray(0, await b.read(buf)).toString()).toBe('unit1');
    expect(m.readdir('inst').map((d) => d.name)).toEqual(['0', '1']);
    await a.close();
    expect(m.readdir('inst').map((d) => d.name)).toEqual(['1']);
    await b.close();
    expect(() => m.stat('inst')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(k.lookupDev('cloner')!.usecount).toBe(0);
    await expect(async () => k.fdclone(a, {}, null)).rejects.toMatchObject({ code: 'EINVAL' });
  });

  test('auto-ownership: first opener owns the device until the last close', async () => {
    const k = bareKernel();
    k.make_dev({ d_name: 'ao', d_flags: D_AUTOOWN }, 0, 0, 5, 0o620, 'pts/0');
    const m = k.mount();
    m.chmod('pts/0', 0o666);
    const other = k.mount();
    const f = await other.open('pts/0', 'r', { uid: 0, gid: 0 });
    expect(other.stat('pts/0').uid).toBe(0);
    await f.close();
    const g = await m.open('pts/0', 'r', alice);
    expect(other.stat('pts/0').uid).toBe(alice.uid);
    await g.close();
    expect(other.stat('pts/0').uid).toBe(0);
  });

  test('streams move 64 MiB from zero into a counting sink with bounded memory', async () => {
    const k = createKernel();
    const f = await k.mount().open('zero', 'r');
    let count = 0;
    let peak = 0;
    const src = f.readableStream({ end: 64 * 1024 * 1024 });
    const sink: Writable = new Writable({
      highWaterMark: 256 * 1024,
      write(chunk: Buffer, _e, cb) {
        count += chunk.length;
        if (chunk.some((b) => b !== 0)) return cb(new Error('non-zero byte'));
        // bytes produced but not yet consumed: what backpressure must keep bounded
        peak = Math.max(peak, (src as unknown as { readableLength: number }).readableLength + sink.writableLength);
        setImmediate(cb);
      },
    });
    await pipeline(src, sink);
    expect(count).toBe(64 * 1024 * 1024);
    expect(peak).toBeLessThanOrEqual(1024 * 1024);
    await f.close();
    const n = await k.mount().open('null', 'w');
    await pipeline((await k.mount().open('random', 'r')).readableStream({ end: 1 << 20 }), n.writableStream() as NodeJS.WritableStream);
  });
});

describe('leaked handles', () => {
  const forceGc = (): (() => void) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('v8').setFlagsFromString('--expose_gc');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('vm').runInNewContext('gc') as () => void;
  };

  test('a handle garbage-collected without close() is closed: d_close, cdevpriv dtor, auto-own restored', async () => {
    const gc = forceGc();
    const k = bareKernel();
    const closes = jest.fn();
    const dtor = jest.fn();
    const dev = k.make_dev({ d_name: 'leaky', d_flags: D_AUTOOWN, d_open: (_d, _f, file) => k.devfs_set_cdevpriv(file, 1, dtor), d_close: closes },
      0, 0, 5, 0o666, 'leaky');
    const m = k.mount();
    await (async () => { await m.open('leaky', 'r', alice); })(); // the handle is dropped here
    expect(dev.usecount).toBe(1);
    expect(m.stat('leaky').uid).toBe(alice.uid);
    await until(() => { gc(); return closes.mock.calls.length > 0; }, 'the finalizer to close the dropped handle', 2000);
    expect(closes).toHaveBeenCalledTimes(1);
    expect(dtor).toHaveBeenCalledTimes(1);
    expect(dev.usecount).toBe(0);
    expect(m.stat('leaky').uid).toBe(0);
  });

  test('a closed handle is not closed again by the finalizer', async () => {
    const gc = forceGc();
    const k = bareKernel();
    const closes = jest.fn();
    k.make_dev({ d_name: 'once', d_flags: D_TRACKCLOSE, d_close: closes }, 0, 0, 0, 0o666, 'once');
    const m = k.mount();
    await (async () => { const f = await m.open('once', 'r'); await f.close(); })();
    for (let i = 0; i < 5; i++) { gc(); await new Promise((r) => setTimeout(r, 10)); } // deliberate: finalizer turns in which a second close must NOT come
    expect(closes).toHaveBeenCalledTimes(1);
  });
});
