/**
 * Isolated plugins in one shared namespace: a plugin run in its own worker_thread makes devices
 * that the daemon's kernel adopts (same inode, same name) and every mount shows exactly as it
 * would show the same plugin loaded in process; driver calls, cloners, aliases and fdclone'd
 * handles are forwarded to the worker; a method that throws fails only that call.
 */
import { native } from '@devfs/native';
import { FIONBIO, POLLIN, DevFile, Host, Mount } from '../src';
import { alice, expectCode, until } from './helpers';
import { hostWith, ifx, isolated, recordEvents } from './isolate-helpers';

const hosts: Host[] = [];
async function host(...specs: Parameters<typeof hostWith>): Promise<Host> {
  const h = await hostWith(...specs);
  hosts.push(h);
  return h;
}
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.close();
});

/** A mount's whole tree: names, types, modes, owners, link targets (inode numbers left out). */
function tree(m: Mount, dir = ''): string[] {
  const out: string[] = [];
  for (const d of m.readdir(dir)) {
    const p = dir ? `${dir}/${d.name}` : d.name;
    const st = m.lstat(p);
    const link = st.isSymbolicLink() ? ` -> ${m.readlink(p)}` : '';
    out.push(`${p} ${(st.mode & 0o170000).toString(8)} ${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid}${link}`);
    if (st.isDirectory()) out.push(...tree(m, p));
  }
  return out;
}

describe('an isolated plugin shares the namespace', () => {
  test('its devices are adopted inodes of the shared table and every mount shows them as for an in-process plugin', async () => {
    const inproc = await host(ifx('other'));
    const iso = await host(isolated('other'));
    expect(iso.failures).toEqual([]);
    expect(iso.drivers.map((d) => [d.name, d.isolation?.state])).toEqual([['other', 'running']]);
    for (const [name, opts] of [['root', {}], ['jail', { ruleset: 'devfsrules_jail', jail: true }]] as const) {
      const a = tree(inproc.kernel.mount({ name, ...opts }));
      const b = tree(iso.kernel.mount({ name, ...opts }));
      expect(b).toEqual(a);
    }
    const dev = iso.kernel.lookupDev('other0')!;
    expect(dev).toBeDefined();
    // the same slot the worker allocated, tagged with the worker's foreign tag and its name: adopted, not copied
    expect(native.inodeForeignName(dev.inode, dev.gen)).toBe('other0');
    expect(iso.kernel.lookupDev('other-link')!.aliasOf).toBe(dev);
  });

  test('REGISTER events, rules and per-mount permissions apply to its devices', async () => {
    const iso = await host();
    const seen = recordEvents(iso);
    iso.kernel.rules.load('[isorules=77]\nadd path good0 mode 0640 group 20\nadd path good-link hide\n', 'test');
    const m = iso.kernel.mount({ name: 'r', ruleset: 'isorules' });
    await iso.load(isolated('good'));
    await iso.kernel.events.flush();
    expect(seen.filter((e) => e.type === 'REGISTER').map((e) => [e.name, e.data?.driver])).toEqual(
      expect.arrayContaining([['good0', 'good'], ['good-link', 'good'], ['good', 'good']]));
    expect(m.stat('good0').mode & 0o7777).toBe(0o640);
    expect(m.stat('good0').gid).toBe(20);
    expectCode(() => m.stat('good-link'), 'ENOENT');
    m.chmod('good0', 0o600);
    expect(m.stat('good0').mode & 0o777).toBe(0o600);
    expect(iso.kernel.mount({ name: 'other' }).stat('good0').mode & 0o777).toBe(0o666);
  });
});

describe('driver calls are forwarded to the worker', () => {
  let iso: Host;
  let m: Mount;
  beforeEach(async () => {
    iso = await host(isolated('good'), isolated('throw-read'));
    m = iso.kernel.mount({ name: 'r' });
  });

  test('read and write move the bytes; a blocked read wakes on a write through another handle', async () => {
    const a = await m.open('good0', 'r+');
    const b = await m.open('good-link', 'r+'); // through the alias
    expect(await a.write(Buffer.from('hello'))).toBe(5);
    const buf = Buffer.alloc(64);
    expect(await b.read(buf)).toBe(5);
    expect(buf.subarray(0, 5).toString()).toBe('hello');
    const pending = a.read(buf);
    await new Promise((r) => setTimeout(r, 30)); // deliberate: the read reaches the worker and blocks before the write (nothing outside shows it)
    await b.write(Buffer.from('later'));
    expect(await pending).toBe(5);
    expect(buf.subarray(0, 5).toString()).toBe('later');
    const big = Buffer.alloc(200_000, 7);
    expect(await a.write(big)).toBe(big.length);
    const back = Buffer.alloc(big.length);
    expect(await b.read(back)).toBe(big.length);
    expect(back.equals(big)).toBe(true);
    // over 1 MiB the bytes travel in transferred ArrayBuffers instead of the handle's shared memory
    const huge = Buffer.alloc(3 << 20);
    for (let i = 0; i < huge.length; i += 4096) huge[i] = (i >> 12) & 0xff;
    expect(await a.write(huge)).toBe(huge.length);
    const hugeBack = Buffer.alloc(huge.length);
    expect(await b.read(hugeBack)).toBe(huge.length);
    expect(hugeBack.equals(huge)).toBe(true);
    // two reads in flight on one handle: one uses the shared memory, the other a transfer
    const r1 = Buffer.alloc(3), r2 = Buffer.alloc(3);
    const both = Promise.all([a.read(r1), a.read(r2)]);
    await b.write(Buffer.from('one'));
    await b.write(Buffer.from('two'));
    expect(await both).toEqual([3, 3]);
    expect([r1.toString(), r2.toString()].sort()).toEqual(['one', 'two']);
    await a.close();
    await b.close();
  });

  test('non-blocking reads get EAGAIN; poll resolves when data arrives; ioctl passes structured arguments', async () => {
    const a = await m.open('good0', 'rn');
    const w = await m.open('good0', 'w');
    await expect(a.read(Buffer.alloc(4))).rejects.toMatchObject({ code: 'EAGAIN' });
    const polled = a.poll(POLLIN, 5000);
    setTimeout(() => void w.write(Buffer.from('x')), 20);
    expect(await polled).toBe(POLLIN);
    expect(await a.read(Buffer.alloc(4))).toBe(1);
    expect(await a.ioctl(1, { n: [1, 2] })).toEqual({ echoed: { n: [1, 2] }, name: 'good0' });
    await expect(a.ioctl(2)).rejects.toMatchObject({ code: 'ENOTTY' });
    expect(await a.ioctl(FIONBIO, 0)).toBe(0);
    await expect(a.ioctl(1, () => 1)).rejects.toMatchObject({ code: 'EINVAL' }); // not cloneable to a worker
    await a.close();
    await w.close();
  });

  test('events the plugin emits reach the daemon\'s stream (CHANGE with the shared inode, NOTIFY); one that cannot be cloned to the daemon is EINVAL to the plugin', async () => {
    const seen = recordEvents(iso);
    const a = await m.open('good0', 'r');
    expect(await a.ioctl(4, 'tuned')).toBe(0);
    await until(() => seen.some((e) => e.type === 'NOTIFY' && e.data?.event === 'PLUGIN_SAYS'), 'the NOTIFY');
    const change = seen.find((e) => e.type === 'CHANGE' && e.name === 'good0');
    expect(change).toMatchObject({ name: 'good0', ino: m.stat('good0').ino, data: { why: 'tuned' } });
    expect(Object.keys(change!)).toEqual(['type', 'name', 'ino', 'data', 'seq', 'time']);
    await expect(a.ioctl(5)).rejects.toMatchObject({ code: 'EINVAL' });
    await a.close();
  });

  test('cloners run in the worker: an fdclone open and a lookup-miss clone, owned by the opener', async () => {
    const seen = recordEvents(iso);
    const c: DevFile = await m.open('good', 'r+', alice);
    await c.write(Buffer.from('cloned'));
    const buf = Buffer.alloc(16);
    expect(await c.read(buf)).toBe(6);
    expect(m.stat('goodc0').uid).toBe(alice.uid);
    await c.close();
    await until(() => iso.kernel.lookupDev('goodc0') === undefined, 'goodc0 destroyed after its handle closed');
    const u = await m.open('goodu5', 'r+', alice);
    expect(m.stat('goodu5').uid).toBe(alice.uid);
    await u.close();
    await iso.kernel.events.flush();
    const reg = seen.find((e) => e.type === 'REGISTER' && e.name === 'goodu5');
    expect(reg?.data?.persistent).toBe(false);
    await expect(m.open('goodx', 'r')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test('a call the driver never answers fails with ETIMEDOUT after callTimeoutMs; the worker carries on', async () => {
    const f = await m.open('good0', 'r+');
    await expect(f.ioctl(3)).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    expect(await f.write(Buffer.from('still'))).toBe(5);
    expect(await f.read(Buffer.alloc(8))).toBe(5);
    expect(iso.drivers.find((d) => d.name === 'good')!.isolation).toMatchObject({ state: 'running', restarts: 0 });
    await f.close();
  });

  test('a driver method that throws fails that call with EIO only', async () => {
    const f = await m.open('throwread0', 'r+');
    expect(await f.write(Buffer.from('abc'))).toBe(3);
    await expect(f.read(Buffer.alloc(4))).rejects.toMatchObject({ code: 'EIO' });
    await expect(f.read(Buffer.alloc(4))).rejects.toMatchObject({ code: 'EIO' });
    expect(await f.write(Buffer.from('d'))).toBe(1);
    expect(iso.drivers.find((d) => d.name === 'throwread')!.isolation!.restarts).toBe(0);
    await f.close();
  });
});

describe('loading', () => {
  test('a plugin whose attach throws fails to load; nothing of it stays', async () => {
    const h = await host();
    const before = native.inodeLiveCount();
    await expect(h.load(isolated('throw-attach'))).rejects.toMatchObject({ code: 'EIO' });
    expect(h.drivers).toEqual([]);
    expect(h.failures).toHaveLength(1);
    expect(h.failures[0].error.message).toMatch(/attach fails/);
    expect(h.kernel.lookupDev('throwattach0')).toBeUndefined();
    expect(native.inodeLiveCount()).toBe(before);
  });

  test('bad settings are EINVAL naming the field; isolate: false loads in process', async () => {
    const h = await host({ module: ifx('good'), isolate: true, memoryMb: 1 }, { module: ifx('other'), isolate: false });
    expect(h.failures.map((f) => f.error.message)).toEqual([expect.stringMatching(/memoryMb/)]);
    expect(h.drivers.map((d) => [d.name, d.isolation])).toEqual([['other', undefined]]);
  });

  test('close stops the worker and its devices go', async () => {
    const h = await hostWith(isolated('good'));
    const m = h.kernel.mount({ name: 'r' });
    const f = await m.open('good0', 'r');
    const blocked = expect(f.read(Buffer.alloc(4))).rejects.toMatchObject({ code: 'ENXIO' });
    await h.close();
    await blocked;
    expect(h.kernel.lookupDev('good0')).toBeUndefined();
    expectCode(() => m.stat('good0'), 'ENOENT');
  });
});
