import * as path from 'path';
import { createHost, FIONREAD, POLLIN, POLLOUT, Host } from '@devfs/core';
import { until } from '../../../test-support/wait';

const pkgDir = path.join(__dirname, '..');

describe('echo driver loaded as an outside plugin, by path', () => {
  let host: Host;
  beforeAll(async () => {
    host = await createHost({ drivers: [path.join(pkgDir, 'src', 'index.ts')], options: { echo: { bufferSize: 8 } } });
    expect(host.failures).toEqual([]);
  });
  afterAll(() => host.close());

  test('opening echo clones echoN owned by the opener; what is written is read back', async () => {
    const m = host.kernel.mount({ name: 'echo-a' });
    const a = await m.open('echo', 'r+', { uid: 1000, gid: 1000 });
    const b = await m.open('echo', 'r+', { uid: 1001, gid: 1001 });
    const names = m.readdir('').map((d) => d.name).filter((x) => /^echo\d/.test(x));
    expect(names).toEqual(['echo0', 'echo1']);
    expect(m.stat('echo0').uid).toBe(1000);
    expect(m.stat('echo1').uid).toBe(1001);
    expect(await a.write(Buffer.from('hello'))).toBe(5);
    expect(await a.ioctl(FIONREAD)).toBe(5);
    expect(await b.ioctl(FIONREAD)).toBe(0);
    const buf = Buffer.alloc(16);
    const n = await a.read(buf);
    expect(buf.subarray(0, n).toString()).toBe('hello');
    await a.close();
    const units = () => m.readdir('').map((d) => d.name).filter((x) => /^echo\d/.test(x));
    await until(() => units().length === 1, 'echo0 to go after its cloned handle closed');
    expect(units()).toEqual(['echo1']);
    await b.close();
  });

  test('poll wakes a reader; a full buffer blocks the writer until read; non-blocking gets EAGAIN', async () => {
    const m = host.kernel.mount({ name: 'echo-b' });
    const w = await m.open('echo7', 'r+');
    const r = await m.open('echo7', 'rn');
    expect(await r.poll(POLLIN, 10)).toBe(0);
    await expect(r.read(Buffer.alloc(4))).rejects.toMatchObject({ code: 'EAGAIN' });
    const ready = r.poll(POLLIN);
    await w.write(Buffer.from('12345678'));
    expect(await ready).toBe(POLLIN);
    expect(await w.poll(POLLOUT, 10)).toBe(0);
    let wrote = false;
    const blocked = w.write(Buffer.from('9')).then((n) => { wrote = true; return n; });
    await new Promise((res) => setTimeout(res, 20));
    expect(wrote).toBe(false);
    const out = Buffer.alloc(8);
    expect(await r.read(out)).toBe(8);
    expect(out.toString()).toBe('12345678');
    expect(await blocked).toBe(1);
    expect(await r.ioctl(FIONREAD)).toBe(1);
    await expect(r.ioctl(0x1234)).rejects.toMatchObject({ code: 'ENOTTY' });
    await w.close();
    await r.close();
  });
});
