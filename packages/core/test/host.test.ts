import * as path from 'path';
import { createHost, createKernel, DRIVER, KERNEL, DevfsError, DriverModule, PluginFailure } from '../src';
import { container as globalContainer } from 'tsyringe';

const fx = (name: string) => path.join(__dirname, 'host-fixtures', name);
const g = globalThis as unknown as { __hostLog: string[]; __lazyLoads?: number };

beforeEach(() => { g.__hostLog = []; });

describe('plugin host', () => {
  test('attaches plugins by path in order, passes options, detaches in reverse', async () => {
    const host = await createHost({ drivers: [fx('alpha'), fx('beta')], options: { alpha: { mode: 0o640 } } });
    expect(host.failures).toEqual([]);
    expect(host.drivers.map((d) => d.name)).toEqual(['alpha', 'beta']);
    expect(host.plugins.map((p) => [p.name, p.version])).toEqual([['devfs-fixture-alpha', '1.0.0'], ['devfs-fixture-beta', '2.0.0']]);
    const m = host.kernel.mount({ name: 'h1' });
    expect(m.stat('alpha0').mode & 0o777).toBe(0o640);
    expect(host.driver('beta').name).toBe('beta');
    expect(() => host.driver('nope')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    await host.close();
    expect(g.__hostLog).toEqual(['attach alpha', 'attach beta', 'detach beta', 'detach alpha']);
    expect(host.kernel.lookupDev('alpha0')).toBeUndefined();
    expect(host.drivers).toEqual([]);
    await expect(host.load(fx('alpha'))).rejects.toMatchObject({ code: 'ESHUTDOWN' });
  });

  test('loading is idempotent and leaves the global container untouched', async () => {
    const host = await createHost({ drivers: [fx('alpha')] });
    const again = await host.load(fx('alpha'));
    expect(again.drivers.map((d) => d.name)).toEqual(['alpha']);
    expect(g.__hostLog.filter((l) => l === 'attach alpha')).toHaveLength(1);
    expect(globalContainer.isRegistered(DRIVER, true)).toBe(false);
    expect(globalContainer.isRegistered(KERNEL, true)).toBe(false);
    await host.close();
  });

  test('a module object works and sees the kernel under KERNEL', async () => {
    const kernel = createKernel({ memDevices: false });
    let seen: unknown;
    const mod: DriverModule = {
      register(c) {
        c.register(DRIVER, { useFactory: (cc) => { seen = cc.resolve(KERNEL); return { name: 'obj', attach() {}, detach() {} }; } });
      },
    };
    const host = await createHost({ drivers: [mod], kernel });
    expect(seen).toBe(kernel);
    expect(host.kernel).toBe(kernel);
    expect(host.drivers.map((d) => d.name)).toEqual(['obj']);
    await host.close();
  });

  test.each([
    ['no-register', 'EINVAL', /devfs-fixture-no-register.*no register/],
    ['bad-range', 'ENOTSUP', /devfs-fixture-bad-range.*needs @devfs\/core \^9\.0\.0.*0\.1\.0/],
    ['no-range', 'EINVAL', /devfs-fixture-no-range.*declares no compatible @devfs\/core range/],
    ['dup-name', 'EEXIST', /devfs-fixture-dup-name.*'alpha'.*already loaded/],
    ['throws', 'EIO', /devfs-fixture-throws.*failed to load.*syntax of a broken build/],
    ['does-not-exist', 'ENOENT', /cannot find plugin/],
  ])('a broken plugin (%s) fails alone with a clear error', async (name, code, msg) => {
    const failures: PluginFailure[] = [];
    const host = await createHost({ drivers: [fx('alpha'), fx(name), fx('beta')], onError: (f) => failures.push(f) });
    expect(host.drivers.map((d) => d.name)).toEqual(['alpha', 'beta']);
    expect(failures).toHaveLength(1);
    expect(failures[0].error).toBeInstanceOf(DevfsError);
    expect(failures[0].error).toMatchObject({ code });
    expect(failures[0].error.message).toMatch(msg);
    expect(host.kernel.lookupDev('alpha0')).toBeDefined();
    await expect(host.load(fx(name))).rejects.toMatchObject({ code });
    await host.close();
  });

  test('a driver failing to attach is reported and detached; its sibling and other plugins keep running', async () => {
    const failures: PluginFailure[] = [];
    const host = await createHost({ drivers: [fx('half-broken'), fx('alpha')], onError: (f) => failures.push(f) });
    expect(host.drivers.map((d) => d.name)).toEqual(['gamma', 'alpha']);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ plugin: 'devfs-fixture-half-broken', driver: 'delta' });
    expect(failures[0].error).toMatchObject({ code: 'ENXIO' });
    expect(failures[0].error.message).toMatch(/driver 'delta' of plugin 'devfs-fixture-half-broken' failed to attach: no hardware/);
    expect(g.__hostLog).toContain('detach delta');
    expect(host.kernel.lookupDev('delta0')).toBeUndefined();
    expect(host.kernel.lookupDev('gamma0')).toBeDefined();
    await host.close();
  });

  test('MODLOAD on a LOOKUP miss loads the plugin through the host, once', async () => {
    g.__lazyLoads = 0;
    const host = await createHost({ drivers: [] });
    host.kernel.events.loadConfig(`LOOKUP ^lazy$ MODLOAD ${fx('lazy')}\n`, 'modload.conf');
    const m = host.kernel.mount({ name: 'lazy-mount' });
    const lookups: string[] = [];
    host.kernel.events.on((e) => { if (e.type === 'LOOKUP') lookups.push(`${e.name} ${e.mount}`); });
    expect(() => m.stat('lazy')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    const f = await m.open('lazy', 'r');
    expect(f.dev?.si_name).toBe('lazy');
    await f.close();
    const f2 = await m.open('lazy', 'r');
    await f2.close();
    expect(g.__lazyLoads).toBe(1);
    await host.kernel.events.flush();
    // one LOOKUP per miss (the stat's and the open's), each naming the mount; the open path's
    // MODLOAD acts on its own LOOKUP instead of emitting a second one
    expect(lookups).toEqual(['lazy lazy-mount', 'lazy lazy-mount']);
    expect(host.drivers.map((d) => d.name)).toEqual(['lazy']);
    await host.kernel.events.flush();
    await host.close();
  });

  test('createHost rejects a malformed call', async () => {
    await expect(createHost({} as never)).rejects.toMatchObject({ code: 'EINVAL' });
  });
});
