/**
 * An isolated plugin's sysctl nodes and miss hooks work as in process: the nodes are published
 * in the daemon's tree from the worker's snapshots (a read never waits on the worker), a value
 * the plugin changes reaches the daemon, writes are refused (ENOTSUP), and the nodes go with the
 * worker and come back with its restart. A miss hook it registers makes an open of a missing name
 * succeed; one that never answers or spins fails that open with ETIMEDOUT after callTimeoutMs
 * while the daemon and other calls carry on.
 */
import { Host, Mount, DevFile } from '../src';
import { alice, expectCode, until } from './helpers';
import { hostWith, ifx, isolated, recordEvents } from './isolate-helpers';

const hosts: Host[] = [];
/** Handles a test leaves open (closed after it, before its host). */
const open: DevFile[] = [];
async function host(...specs: Parameters<typeof hostWith>): Promise<Host> {
  const h = await hostWith(...specs);
  hosts.push(h);
  expect(h.failures).toEqual([]);
  return h;
}
afterEach(async () => {
  for (const f of open.splice(0)) await f.close().catch(() => undefined);
  for (const h of hosts.splice(0)) await h.close();
});

/** Every node under dev.knob: name, value (or the read's error code), description, device. */
function knobs(h: Host): [string, unknown, string | undefined, string | undefined][] {
  const sc = h.kernel.sysctl;
  return sc.list('dev.knob').map((n) => {
    let v: unknown;
    try {
      v = sc.read(n);
    } catch (err) {
      v = (err as { code: string }).code;
    }
    return [n, v, sc.describe(n), sc.deviceOf(n)];
  });
}

/** Counts the miss hooks `h`'s kernel gets from now on (kernel.onMiss, spied) and how many of them are removed. */
function countMissHooks(h: Host): { added: number; removed: number } {
  const n = { added: 0, removed: 0 };
  const onMiss = h.kernel.onMiss.bind(h.kernel);
  jest.spyOn(h.kernel, 'onMiss').mockImplementation((hook) => {
    n.added++;
    const remove = onMiss(hook);
    return () => { n.removed++; remove(); };
  });
  return n;
}

async function ioctl(m: Mount, cmd: number, arg?: unknown): Promise<unknown> {
  const f = await m.open('knob0', 'r');
  try {
    return await f.ioctl(cmd, arg);
  } finally {
    await f.close();
  }
}

describe("an isolated plugin's sysctl nodes", () => {
  test('appear in the daemon tree with the values, descriptions, devices and read errors they have in process', async () => {
    const inHost = await host(ifx('knobs'));
    const inproc = knobs(inHost);
    const inprocNames = inHost.kernel.sysctl.list();
    expect(inproc).toEqual([
      ['dev.knob.broken', 'EIO', undefined, undefined],
      ['dev.knob.bytes', 0, 'bytes written to knob0', 'knob0'],
      ['dev.knob.level', 1, 'a writable knob', undefined],
    ]);
    const iso = await host(isolated('knobs'));
    expect(knobs(iso)).toEqual(inproc);
    expect(() => iso.kernel.sysctl.read('dev.knob.broken')).toThrow(expect.objectContaining({ code: 'EIO', syscall: 'sysctl.read', path: 'dev.knob.broken', message: expect.stringMatching(/the knob is broken/) }));
    // only the plugin's nodes are mirrored: the worker kernel's own kern.devfs.* stay in the worker
    expect(iso.kernel.sysctl.list()).toEqual([...inprocNames]);
  });

  test("a value the plugin changes reaches the daemon: before a forwarded call's answer, within the sample period otherwise", async () => {
    const iso = await host(isolated('knobs'));
    const m = iso.kernel.mount({ name: 'r' });
    const sc = iso.kernel.sysctl;
    await ioctl(m, 1, 7);
    expect(sc.read('dev.knob.level')).toBe(7); // pushed before the ioctl's answer
    await ioctl(m, 2, 4); // changes 30 ms later, in a timer of the plugin's
    expect(sc.read('dev.knob.level')).toBe(7);
    await until(() => sc.read('dev.knob.level') === 4, 'the timer-made change to be pushed');
    const f = await m.open('knob0', 'w');
    await f.write(Buffer.from('hello'));
    await f.write(Buffer.from('abc'));
    await f.close();
    await until(() => sc.read('dev.knob.bytes') === 8, 'the written bytes to be pushed');
  });

  test('writeAsync sets a node in the worker with the errors it has in process; the synchronous write is ENOTSUP', async () => {
    const inproc = (await host(ifx('knobs'))).kernel.sysctl;
    const sc = (await host(isolated('knobs'))).kernel.sysctl;
    /** What writeAsync(name, value, cred) does: 'ok' and the value after, or the error's code, syscall, path and message. */
    const outcome = (x: typeof sc, name: string, value: string, cred?: typeof alice) => x.writeAsync(name, value, cred).then(
      () => ['ok', x.read(name)],
      (e: { code: string; syscall: string; path: string; message: string }) => [e.code, e.syscall, e.path, e.message, x.list().includes(name) ? x.read(name) : null]);
    for (const [name, value, cred] of [
      ['dev.knob.level', '5'], ['dev.knob.level', 'x'], ['dev.knob.level', '7', alice], ['dev.knob.bytes', '5'], ['dev.knob.nope', '5'],
    ] as const) {
      const want = await outcome(inproc, name, value, cred);
      expect([name, value, await outcome(sc, name, value, cred)]).toEqual([name, value, want]);
    }
    expect(sc.read('dev.knob.level')).toBe(5); // at once: pushed before the write's answer
    await expect(sc.writeAsync('dev.knob.level', 'x')).rejects.toMatchObject({ code: 'EINVAL', message: expect.stringMatching(/invalid value 'x' for dev.knob.level: 0\.\.9/) });
    expect(() => sc.write('dev.knob.level', '6')).toThrow(expect.objectContaining({ code: 'ENOTSUP', syscall: 'sysctl.write', path: 'dev.knob.level', message: expect.stringMatching(/writeAsync/) }));
    expectCode(() => sc.write('dev.knob.bytes', '5'), 'EPERM');
    expect(sc.read('dev.knob.level')).toBe(5);
  });

  test('a node the plugin removes goes; all go with the worker and come back with its restart', async () => {
    const iso = await host(isolated('knobs'));
    const events = recordEvents(iso);
    const m = iso.kernel.mount({ name: 'r' });
    const sc = iso.kernel.sysctl;
    await ioctl(m, 3);
    expect(sc.list('dev.knob')).toEqual(['dev.knob.broken', 'dev.knob.bytes']);
    await ioctl(m, 1, 9);
    const f = await m.open('knob0', 'r');
    await expect(f.ioctl(6)).rejects.toMatchObject({ code: 'ENXIO' }); // the thread exits
    await f.close();
    expect(sc.list('dev.knob')).toEqual([]);
    expectCode(() => sc.read('dev.knob.bytes'), 'ENOENT');
    await until(() => events.some((e) => e.type === 'NOTIFY' && e.data?.event === 'DRIVER_RESTARTED'), 'the restart', 10000);
    expect(knobs(iso).map(([n, v]) => [n, v])).toEqual([['dev.knob.broken', 'EIO'], ['dev.knob.bytes', 0], ['dev.knob.level', 1]]);
  });

  test('10 deaths and restarts leave exactly the plugin\'s nodes and one host miss hook', async () => {
    const h = await host();
    const hooks = countMissHooks(h);
    const events = recordEvents(h);
    await h.load(isolated('knobs', { backoffMs: 0, maxBackoffMs: 0 }));
    const m = h.kernel.mount({ name: 'r' });
    const restarts = () => events.filter((e) => e.type === 'NOTIFY' && e.data?.event === 'DRIVER_RESTARTED').length;
    for (let i = 1; i <= 10; i++) {
      await ioctl(m, 6).catch(() => undefined);
      await until(() => restarts() === i && h.kernel.sysctl.list('dev.knob').length === 3, `restart ${i}`, 10000);
      open.push(await m.open(`knobm${i}`, 'r')); // its hook answers
    }
    expect(hooks).toEqual({ added: 11, removed: 10 });
    expect(h.kernel.sysctl.list()).toEqual(['dev.knob.broken', 'dev.knob.bytes', 'dev.knob.level', 'kern.devfs.devices', 'kern.devfs.generation']);
  });

  test('a name the daemon already has is refused with a warning; the plugin\'s other nodes are published', async () => {
    const h = await host();
    h.kernel.sysctl.create('dev.knob.bytes', { get: () => 'the daemon\'s' });
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    let warnings: unknown[][];
    try {
      await h.load(isolated('knobs'));
      await until(() => warn.mock.calls.length > 0, 'the warning');
      warnings = [...warn.mock.calls];
    } finally {
      warn.mockRestore();
    }
    expect(warnings.map((w) => String(w[0]))).toEqual([expect.stringMatching(/isolated plugin isolate-fixture-knobs: sysctl 'dev.knob.bytes' refused: .*EEXIST/)]);
    expect(h.kernel.sysctl.read('dev.knob.bytes')).toBe('the daemon\'s');
    expect(h.kernel.sysctl.read('dev.knob.level')).toBe(1);
  });
});

describe("an isolated plugin's miss hooks", () => {
  let iso: Host;
  let m: Mount;
  beforeEach(async () => {
    iso = await host(isolated('knobs', { callTimeoutMs: 1500, backoffMs: 1000, maxBackoffMs: 1000 }), isolated('good'));
    m = iso.kernel.mount({ name: 'r' });
  });

  test('an open of a missing name succeeds when its hook makes the device; other misses are ENOENT', async () => {
    const f = await m.open('knobm3', 'w');
    open.push(f);
    expect(await f.write(Buffer.from('xy'))).toBe(2);
    expect(m.stat('knobm3').mode & 0o777).toBe(0o644);
    await until(() => iso.kernel.sysctl.read('dev.knob.bytes') === 2, 'the write counted');
    await expect(m.open('knobnothing', 'r')).rejects.toMatchObject({ code: 'ENOENT' });
    await ioctl(m, 4); // the plugin removes its hook
    await expect(m.open('knobm4', 'r')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test('a hook that never answers: that open fails with ETIMEDOUT after callTimeoutMs; the daemon and the worker answer meanwhile', async () => {
    const t0 = Date.now();
    const hung = m.open('knobhang', 'r').then(() => 'opened', (err: { code: string }) => ({ code: err.code, ms: Date.now() - t0 }));
    // meanwhile: the same worker's calls, another miss through its hook, another isolated plugin, the daemon's own devices
    expect(await ioctl(m, 1, 3)).toBe(0);
    open.push(await m.open('knobm5', 'r'));
    const g = await m.open('good0', 'r+');
    await g.write(Buffer.from('ping'));
    expect(await g.read(Buffer.alloc(4))).toBe(4);
    await g.close();
    expect(iso.kernel.sysctl.read('dev.knob.level')).toBe(3);
    expect(m.stat('null').isCharacterDevice()).toBe(true);
    expect(await Promise.race([hung, 'pending'])).toBe('pending');
    const r = await hung;
    expect(r).toMatchObject({ code: 'ETIMEDOUT' });
    expect((r as { ms: number }).ms).toBeGreaterThanOrEqual(1500 - 50);
    expect(iso.drivers.find((d) => d.name === 'knobs')!.isolation!.restarts).toBe(0); // the worker stayed up
  });

  test('a hook that spins: the worker is ended, that open fails with ETIMEDOUT, the plugin comes back with its hook', async () => {
    const events = recordEvents(iso);
    const hooks = countMissHooks(iso);
    const hung = m.open('knobspin', 'r').catch((err: { code: string }) => err.code);
    const g = await m.open('good0', 'r+');
    await g.write(Buffer.from('ping'));
    expect(await g.read(Buffer.alloc(4))).toBe(4);
    await g.close();
    expect(await hung).toBe('ETIMEDOUT');
    // the watchdog ends the worker up to one heartbeat check after the call timed out
    await until(() => iso.kernel.sysctl.list('dev.knob').length === 0, 'the nodes to go with the worker');
    await expect(m.open('knobm6', 'r')).rejects.toMatchObject({ code: 'ENOENT' });
    await until(() => events.some((e) => e.type === 'NOTIFY' && e.data?.event === 'DRIVER_RESTARTED'), 'the restart', 10000);
    open.push(await m.open('knobm6', 'r'));
    expect(hooks).toEqual({ added: 1, removed: 0 }); // the new incarnation's one hook
    await ioctl(m, 6).catch(() => undefined); // it dies again: its hook goes with it
    await until(() => hooks.removed === 1, 'the hook removed with the worker');
    expect(hooks.added).toBe(1);
  });
});
