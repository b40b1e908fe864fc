import * as v8 from 'v8';
import * as vm from 'vm';
import { createHost, createKernel, GID_TTY, POLLIN, S_IFCHR } from '@devfs/core';
import type { DevFile, Kernel, Mount } from '@devfs/core';
import * as ptyModule from '@devfs/drivers-pty';
import { FIONREAD, PtyDriver, TIOCGPTN, TIOCGWINSZ, TIOCSWINSZ } from '@devfs/drivers-pty';
import { collect, ptyFds } from './helpers';
import { until } from '../../../test-support/wait';

const USER = { uid: 1000, gid: 1000, groups: [1000] };
const OTHER = { uid: 1001, gid: 1001, groups: [1001] };

/** Reads from a devfs handle until `want` bytes of text arrived (the handle blocks in between). */
async function readText(f: DevFile, until: RegExp): Promise<string> {
  let text = '';
  const buf = Buffer.alloc(4096);
  while (!until.test(text)) {
    const n = await f.read(buf);
    if (n === 0) break;
    text += buf.toString('utf8', 0, n);
  }
  return text;
}

describe('pty driver in a kernel', () => {
  let kernel: Kernel;
  let driver: PtyDriver;
  let m: Mount;
  let before: string[];

  beforeEach(() => {
    before = ptyFds();
    kernel = createKernel({ memDevices: false });
    driver = new PtyDriver(kernel);
    driver.attach();
    m = kernel.mount({ name: 'root' });
  });

  afterEach(async () => {
    await driver.detach();
    expect(ptyFds()).toEqual(before); // nothing of ours stays open
  });

  test('each ptmx open is a new host pty; pts/N (lowest free N of ours) appears at open, owned by the opener, and goes after close', async () => {
    expect(m.readdir('').map((d) => d.name)).toContain('ptmx');
    const a = await m.open('ptmx', 'r+', USER);
    const b = await m.open('ptmx', 'r+', USER);
    expect(await a.ioctl(TIOCGPTN)).toBe(0);
    expect(await b.ioctl(TIOCGPTN)).toBe(1);
    expect(m.readdir('pts').map((d) => d.name)).toEqual(['0', '1']);
    const st = m.stat('pts/0');
    expect(st.isCharacterDevice()).toBe(true);
    expect(st.mode).toBe(S_IFCHR | 0o620);
    expect([st.uid, st.gid]).toEqual([USER.uid, GID_TTY]);
    await a.close();
    expect(m.readdir('pts').map((d) => d.name)).toEqual(['1']);
    const c = await m.open('ptmx', 'r+', OTHER);
    expect(await c.ioctl(TIOCGPTN)).toBe(0); // lowest free again
    expect(m.stat('pts/0').uid).toBe(OTHER.uid); // ownership follows the new opener
    await b.close();
    await c.close();
    expect(() => m.stat('pts/0')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  test('pts/N shows in every mount that does not hide it (jail shows it, hide_all does not)', async () => {
    const jail = kernel.mount({ name: 'jail', ruleset: 'devfsrules_jail' });
    const hidden = kernel.mount({ name: 'hidden', ruleset: 'devfsrules_hide_all' });
    const master = await jail.open('ptmx', 'r+', USER);
    expect(m.readdir('pts').map((d) => d.name)).toEqual(['0']);
    expect(jail.readdir('pts').map((d) => d.name)).toEqual(['0']);
    expect(hidden.readdir('').map((d) => d.name)).toEqual([]);
    await master.close();
    expect(() => jail.stat('pts/0')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    jail.unmount();
    hidden.unmount();
  });

  test('master and slave talk through the real pty; poll and FIONREAD come from the real fd', async () => {
    const master = await m.open('ptmx', 'r+', USER);
    const slave = await m.open(`pts/${await master.ioctl(TIOCGPTN)}`, 'r+', USER);
    const readable = master.poll(POLLIN, 5000);
    await slave.write(Buffer.from('from slave\n'));
    expect((await readable) & POLLIN).toBe(POLLIN);
    expect(await readText(master, /from slave\r\n/)).toBe('from slave\r\n'); // onlcr
    await master.write(Buffer.from('to slave\n'));
    // canonical mode: the line is there once the newline arrived; the master also sees the echo
    while (((await slave.ioctl(FIONREAD)) as number) < 9) await slave.poll(POLLIN, 1000);
    expect(await slave.ioctl(FIONREAD)).toBe(9);
    expect(await readText(slave, /\n/)).toBe('to slave\n');
    await master.ioctl(TIOCSWINSZ, { cols: 99, rows: 11 });
    expect(await slave.ioctl(TIOCGWINSZ)).toEqual({ cols: 99, rows: 11 });
    await expect(slave.ioctl(0x1234)).rejects.toMatchObject({ code: 'ENOTTY' });
    await expect(slave.ioctl(TIOCGPTN)).rejects.toMatchObject({ code: 'ENOTTY' });
    await slave.close();
    await master.close();
  });

  test('bad ioctl arguments on ptmx and pts handles are coded EINVAL errors and change nothing', async () => {
    const master = await m.open('ptmx', 'r+', USER);
    const slave = await m.open('pts/0', 'r+', USER);
    await master.ioctl(TIOCSWINSZ, { cols: 77, rows: 21 });
    const einval = { code: 'EINVAL', errno: -22, syscall: 'ioctl' };
    for (const h of [master, slave]) {
      for (const cmd of [undefined, null, 'TIOCGWINSZ', NaN, 1.5, Symbol('cmd'), {}]) {
        await expect(h.ioctl(cmd as unknown as number)).rejects.toMatchObject(einval);
      }
      for (const arg of [undefined, null, 5, 'big', { cols: 0, rows: 5 }, { cols: 80 }, { cols: 1e6, rows: 5 }, { cols: 1.5, rows: 2 }]) {
        await expect(h.ioctl(TIOCSWINSZ, arg)).rejects.toMatchObject(einval);
      }
      expect(await h.ioctl(TIOCGWINSZ)).toEqual({ cols: 77, rows: 21 });
    }
    await expect(master.ioctl(0x1234)).rejects.toMatchObject({ code: 'ENOTTY', syscall: 'ioctl' });
    await slave.close();
    await master.close();
  });

  test('pts/N stays while a slave is open after the master closed; the slave reads end of file; then it goes', async () => {
    const master = await m.open('ptmx', 'r+', USER);
    const slave = await m.open('pts/0', 'r+', USER);
    await master.close();
    expect(m.readdir('pts').map((d) => d.name)).toEqual(['0']);
    await expect(m.open('pts/0', 'r+', USER)).rejects.toMatchObject({ code: 'ENXIO' });
    expect(await slave.read(Buffer.alloc(16))).toBe(0);
    await slave.close();
    expect(() => m.stat('pts/0')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  test('mode 0620 group tty: another user cannot open the slave; the owner can', async () => {
    const master = await m.open('ptmx', 'r+', USER);
    await expect(m.open('pts/0', 'r+', OTHER)).rejects.toMatchObject({ code: 'EACCES' });
    const s = await m.open('pts/0', 'r+', USER);
    await s.close();
    await master.close();
  });

  test('a handle dropped without close() does not keep the host pty', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    await (async () => {
      const leaked = await m.open('ptmx', 'r+', USER);
      expect(await leaked.ioctl(TIOCGPTN)).toBe(0);
    })();
    expect(ptyFds().length).toBe(before.length + 1);
    await until(() => { gc(); return driver.openCount === 0; }, 'the finalizer to close the dropped ptmx handle', 2000);
    expect(driver.openCount).toBe(0);
    expect(() => m.stat('pts/0')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  test('leaked master and slave handles together do not keep the host pty', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    await (async () => {
      await m.open('ptmx', 'r+', USER);
      await m.open('pts/0', 'r+', USER);
    })();
    expect(ptyFds().length).toBe(before.length + 2);
    await until(() => { gc(); return driver.openCount === 0 && ptyFds().length === before.length; }, 'the finalizers to close both dropped handles', 2000);
    expect(driver.openCount).toBe(0);
    expect(ptyFds().length).toBe(before.length);
    expect(() => m.stat('pts/0')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  test('spawn through the driver: pts/N shows in the mount while the process runs', async () => {
    const pty = driver.spawn('sh', ['-c', 'tty; read x'], { env: { PATH: process.env.PATH } });
    const done = collect(pty);
    expect((pty as unknown as { ptsName: string }).ptsName).toBe('pts/0');
    expect(m.stat('pts/0').uid).toBe(process.getuid!());
    pty.write('\r');
    const out = await done;
    expect(out.data.join('')).toMatch(/(^|\n)\/dev\/pts\/\d+\r\n/); // the child sees the real host slave
    expect(() => m.stat('pts/0')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });
});

describe('pty driver limits and plugin registration', () => {
  test('maxPtys: the next open is EAGAIN', async () => {
    const kernel = createKernel({ memDevices: false });
    const driver = new PtyDriver(kernel, { maxPtys: 2 });
    driver.attach();
    const m = kernel.mount();
    const a = await m.open('ptmx', 'r+');
    const b = await m.open('ptmx', 'r+');
    await expect(m.open('ptmx', 'r+')).rejects.toMatchObject({ code: 'EAGAIN' });
    await a.close();
    const c = await m.open('ptmx', 'r+');
    await Promise.all([b.close(), c.close()]);
    await driver.detach();
    expect(() => m.stat('ptmx')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  test('the package is a DriverModule: createHost attaches the pty driver', async () => {
    const host = await createHost({ drivers: [ptyModule], options: { pty: { maxPtys: 1 } } });
    try {
      expect(host.driver('pty')).toBeInstanceOf(PtyDriver);
      const m = host.kernel.mount();
      const f = await m.open('ptmx', 'r+');
      await expect(m.open('ptmx', 'r+')).rejects.toMatchObject({ code: 'EAGAIN' });
      await f.close();
    } finally {
      await host.close();
    }
  });
});
