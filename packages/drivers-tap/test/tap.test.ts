import * as fs from 'fs';
import { execFileSync, spawn } from 'child_process';
import { createKernel, FIONREAD, FIONBIO, FIOASYNC, FIOSETOWN, FIOGETOWN, Kernel, Mount, POLLIN, POLLOUT, POLLERR, DevEvent } from '@devfs/core';
import { native } from '@devfs/native';
import { TapDriver, TAPGIFNAME, SIOCSIFPHYADDR, AF_LINK, AF_INET, formatMac } from '../src';
import { describeHost, needRoot, needFile, needTool } from '../../../test-support/host';
import { until } from '../../../test-support/wait';
import { enterTestNetns, linkNames, TestNetns } from '../../../native/test/tap-netns';
import { replyTo } from './responder';

const openFds = (): number => fs.readdirSync('/proc/self/fd').length;
const taps = (): string[] => linkNames().filter((n) => /^tap\d+$/.test(n));

describeHost('tap driver on real host taps', [needRoot, needFile('/dev/net/tun'), needTool('ip'), needTool('ping')], () => {
  let ns: TestNetns;
  let kernel: Kernel;
  let drv: TapDriver;
  let m: Mount;
  const events: DevEvent[] = [];

  beforeAll(() => {
    ns = enterTestNetns();
    ns.run('sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1');
    kernel = createKernel({ memDevices: false });
    kernel.events.on((e) => { events.push(e); });
    drv = new TapDriver(kernel);
    drv.attach();
    m = kernel.mount();
  });
  afterAll(async () => {
    await drv?.detach();
    ns?.leave();
  });

  test('clone open creates tapN (listed by ip, TAPGIFNAME, node EBUSY); close removes it', async () => {
    const f = await m.open('tap', 'r+');
    const name = (await f.ioctl(TAPGIFNAME)) as string;
    expect(name).toMatch(/^tap\d+$/);
    expect(taps()).toContain(name);
    expect(m.readdir('').map((d) => d.name)).toContain(name);
    await expect(m.open(name, 'r+')).rejects.toMatchObject({ code: 'EBUSY' });
    await f.close();
    expect(taps()).not.toContain(name);
    expect(m.readdir('').map((d) => d.name)).not.toContain(name);
    expect(drv.list()).toEqual([]);
  });

  test('create / open / EBUSY / close keeps it / destroy; missing unit → ENXIO; taken unit → EEXIST', async () => {
    expect(await drv.create(5)).toBe('tap5');
    expect(taps()).toContain('tap5');
    await expect(drv.create(5)).rejects.toMatchObject({ code: 'EEXIST' });
    const f = await m.open('tap5', 'r+');
    await expect(m.open('tap5', 'r+')).rejects.toMatchObject({ code: 'EBUSY' });
    expect(await f.ioctl(TAPGIFNAME)).toBe('tap5');
    await f.close();
    expect(taps()).toContain('tap5');
    const again = await m.open('tap5', 'r+');
    await again.close();
    await drv.destroy('tap5');
    expect(taps()).not.toContain('tap5');
    expect(() => m.stat('tap5')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    await expect(drv.destroy('tap5')).rejects.toMatchObject({ code: 'ENXIO' });
  });

  test('ping -c 3 10.77.0.2 through a user-space ARP/ICMP host on the handle: 0% loss, FIONREAD = next read', async () => {
    const f = await m.open('tap', 'r+');
    const name = (await f.ioctl(TAPGIFNAME)) as string;
    ns.run('ip', 'addr', 'add', '10.77.0.1/24', 'dev', name);
    ns.run('ip', 'link', 'set', name, 'up');
    const mac = Buffer.from([0x02, 0, 0, 0x77, 0, 2]);
    const ping = spawn('ping', ['-c', '3', '-i', '0.2', '-W', '2', '10.77.0.2'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    ping.stdout.on('data', (d) => (out += d));
    const exited = new Promise<number>((r) => ping.on('exit', (c) => r(c ?? -1)));
    let done = false;
    void exited.then(() => { done = true; });
    let fionreadChecks = 0;
    const buf = Buffer.alloc(2048);
    try {
      while (!done) {
        const ready = await f.poll(POLLIN, 100);
        if (!(ready & POLLIN)) continue;
        const next = (await f.ioctl(FIONREAD)) as number;
        const n = await f.read(buf);
        expect(n).toBe(next);
        fionreadChecks++;
        const reply = replyTo(buf.subarray(0, n), [10, 77, 0, 2], mac);
        if (reply) expect(await f.write(reply)).toBe(reply.length);
      }
      expect(await exited).toBe(0);
      expect(out).toMatch(/3 packets transmitted, 3 received, 0% packet loss/);
      expect(fionreadChecks).toBeGreaterThanOrEqual(4);
      expect(await f.ioctl(FIONREAD)).toBe(0);
    } finally {
      ping.kill();
      await f.close();
    }
  });

  test('EHOSTDOWN, EAGAIN, EMSGSIZE, ENOTTY, EINVAL; poll bits', async () => {
    const f = await m.open('tap', 'r+');
    const name = (await f.ioctl(TAPGIFNAME)) as string;
    try {
      const buf = Buffer.alloc(2048);
      await expect(f.read(buf)).rejects.toMatchObject({ code: 'EHOSTDOWN' });
      native.ifSetUp(name, true);
      await f.ioctl(FIONBIO, 1);
      await expect(f.read(buf)).rejects.toMatchObject({ code: 'EAGAIN' });
      expect(await f.poll(POLLIN | POLLOUT)).toBe(POLLOUT);
      expect(await f.poll(POLLIN, 30)).toBe(0);
      const frame = Buffer.alloc(1515);
      await expect(f.write(frame)).rejects.toMatchObject({ code: 'EMSGSIZE' });
      expect(await f.write(frame.subarray(0, 1514))).toBe(1514);
      await expect(f.ioctl(0x5401)).rejects.toMatchObject({ code: 'ENOTTY' });
      await expect(f.ioctl(SIOCSIFPHYADDR, { family: AF_INET, addr: 'f2:0b:a4:00:00:09' })).rejects.toMatchObject({ code: 'EINVAL' });
      await f.ioctl(SIOCSIFPHYADDR, { family: AF_LINK, addr: 'f2:0b:a4:00:00:09' });
      expect(formatMac(native.ifGetHwaddr(name))).toBe('f2:0b:a4:00:00:09');
      await expect(f.ioctl(FIOSETOWN, 4242)).rejects.toMatchObject({ code: 'EPERM' });
      expect(await f.ioctl(FIOGETOWN)).toBe(0);
      await f.ioctl(FIOASYNC, 1);
      ns.run('ip', 'addr', 'add', '10.77.3.1/24', 'dev', name);
      spawn('ping', ['-c', '1', '-W', '1', '10.77.3.2'], { stdio: 'ignore' });
      await until(() => events.some((e) => e.type === 'NOTIFY' && e.data?.event === 'SIGIO' && e.data?.ifname === name), 'the SIGIO notice', 2000);
      const mark = events.length;
      native.ifSetUp(name, false);
      await until(() => events.slice(mark).some((e) => e.type === 'NOTIFY' && e.data?.event === 'LINK_DOWN' && e.data?.ifname === name), 'LINK_DOWN', 1000);
      await expect(f.read(buf)).rejects.toMatchObject({ code: 'EHOSTDOWN' });
      ns.run('ip', 'link', 'del', name);
      await until(() => drv.list().indexOf(name) < 0, `${name} to leave the driver's list`, 1000);
      expect(await f.poll(POLLIN)).toBe(POLLERR);
      await expect(f.read(buf)).rejects.toMatchObject({ code: 'ENXIO' });
    } finally {
      await f.close();
    }
  });

  test('FIOSETOWN: another process or its group is EPERM; SIGIO reaches the process that set itself, never another', () => {
    // Jest gives a test its own `process` object (a SIGIO listener there installs no handler), so the
    // signal is received by a child node process running the built packages (pnpm run build:ts).
    const other = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' }); // a group of its own
    const root = require('path').resolve(__dirname, '../../..');
    const script = `
      const { execFileSync, spawn } = require('child_process');
      const { createKernel, FIOASYNC, FIOSETOWN, FIOGETOWN } = require('./packages/core/dist');
      const { TapDriver, TAPGIFNAME } = require('./packages/drivers-tap/dist');
      const { native } = require('./native/dist');
      const other = Number(process.argv[1]);
      const out = { refused: [], sigio: 0 };
      process.on('SIGIO', () => { out.sigio++; });
      (async () => {
        const drv = new TapDriver(createKernel({ memDevices: false }), { watch: false });
        drv.attach();
        const f = await drv.kernel.mount().open('tap', 'r+');
        const name = await f.ioctl(TAPGIFNAME);
        for (const owner of [other, -other, 1, -1]) {
          await f.ioctl(FIOSETOWN, owner).then(() => out.refused.push('accepted ' + owner), (e) => out.refused.push(e.code));
        }
        out.ownerAfterRefusals = await f.ioctl(FIOGETOWN);
        await f.ioctl(FIOSETOWN, process.pid);
        await f.ioctl(FIOASYNC, 1);
        execFileSync('ip', ['addr', 'add', '10.77.5.1/24', 'dev', name]);
        native.ifSetUp(name, true);
        spawn('ping', ['-c', '1', '-W', '1', '10.77.5.2'], { stdio: 'ignore' });
        for (let i = 0; i < 300 && out.sigio === 0; i++) await new Promise((r) => setTimeout(r, 10)); // waits for SIGIO (a child script: no test-support here)
        await f.close();
        await drv.detach();
        process.stdout.write(JSON.stringify(out));
      })();`;
    try {
      const out = JSON.parse(execFileSync(process.execPath, ['-e', script, String(other.pid)], { cwd: root, encoding: 'utf8', timeout: 20000 }));
      expect(out.refused).toEqual(['EPERM', 'EPERM', 'EPERM', 'EPERM']);
      expect(out.ownerAfterRefusals).toBe(0);
      expect(out.sigio).toBeGreaterThan(0);
      expect(other.exitCode).toBeNull();
      expect(other.signalCode).toBeNull();
      expect(() => process.kill(other.pid!, 0)).not.toThrow();
    } finally {
      other.kill();
    }
  });

  test('MAC sysctl: starts f2:0b:a4, round trip, rejected writes leave it unchanged', async () => {
    const name = await drv.create();
    const key = `net.link.tap.${name}`;
    try {
      const mac0 = kernel.sysctl.read(key) as string;
      expect(mac0).toMatch(/^f2:0b:a4:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}$/);
      expect(ns.run('ip', 'link', 'show', name)).toContain(mac0);
      kernel.sysctl.write(key, '2:0:0:a:b:c');
      expect(kernel.sysctl.read(key)).toBe('02:00:00:0a:0b:0c');
      expect(ns.run('ip', 'link', 'show', name)).toContain('02:00:00:0a:0b:0c');
      for (const bad of ['01:00:5e:00:00:01', '2:0:0:a:b', 'zz:00:00:00:00:01', '02:00:00:00:00:01:02', 'zz']) {
        let err: Error | undefined;
        try { kernel.sysctl.write(key, bad); } catch (e) { err = e as Error; }
        expect(err).toMatchObject({ code: 'EINVAL', path: key });
        // one prefix, the value quoted once: `EINVAL: invalid value 'zz' for net.link.tap.tapN: <reason>`
        expect(err!.message.match(/EINVAL/g)).toHaveLength(1);
        expect(err!.message.split(`'${bad}'`)).toHaveLength(2);
        expect(kernel.sysctl.read(key)).toBe('02:00:00:0a:0b:0c');
      }
    } finally {
      await drv.destroy(name);
    }
    expect(kernel.sysctl.list('net.link.tap')).toEqual([]);
  });

  test('an interface added and deleted with ip appears and disappears in a mount within 1 s', async () => {
    ns.run('ip', 'tuntap', 'add', 'dev', 'tap7', 'mode', 'tap');
    await until(() => m.readdir('').some((d) => d.name === 'tap7'), 'the foreign tap7 node', 1000);
    expect(kernel.sysctl.read('net.link.tap.tap7')).toBe(formatMac(native.ifGetHwaddr('tap7')));
    const f = await m.open('tap7', 'r+');
    expect(await f.ioctl(TAPGIFNAME)).toBe('tap7');
    await f.close();
    expect(taps()).toContain('tap7');
    ns.run('ip', 'link', 'del', 'tap7');
    await until(() => !m.readdir('').some((d) => d.name === 'tap7'), 'tap7 to go', 1000);
    expect(() => kernel.sysctl.read('net.link.tap.tap7')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  test('1,000 clone open/close cycles leave no interface and no fd behind', async () => {
    const fds = openFds();
    const names = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const f = await m.open('tap', 'r+');
      names.add((await f.ioctl(TAPGIFNAME)) as string);
      await f.close();
    }
    expect(names).toEqual(new Set(['tap0']));
    expect(taps()).toEqual([]);
    expect(drv.list()).toEqual([]);
    expect(m.readdir('').map((d) => d.name)).toEqual(['tap']);
    expect(openFds()).toBe(fds);
  });
});

describe('tap driver without a TUN/TAP device', () => {
  test('attaches with no nodes and a clear reason', async () => {
    const kernel = createKernel({ memDevices: false });
    const drv = new TapDriver(kernel, { tunPath: '/nonexistent/net/tun' });
    drv.attach();
    expect(drv.unavailable).toMatchObject({ code: 'ENOENT', path: '/nonexistent/net/tun' });
    expect(kernel.mount().readdir('')).toEqual([]);
    await expect(drv.create()).rejects.toMatchObject({ code: 'ENOENT' });
    await drv.detach();
  });
});

describeHost('tap driver in a process without CAP_NET_ADMIN', [needRoot, needTool('setpriv'), needFile('/dev/net/tun')], () => {
  test('the kernel refuses TUNSETIFF with EPERM, and the driver attaches with no nodes and that reason', () => {
    // a child with CAP_NET_ADMIN dropped from its bounding set (root keeps its uid, loses the cap);
    // it loads the built packages (pnpm run build:ts), as a daemon would
    const root = require('path').resolve(__dirname, '../../..');
    const script = `
      const { createKernel } = require('./packages/core/dist');
      const { TapDriver } = require('./packages/drivers-tap/dist');
      const { native } = require('./native/dist');
      const out = {};
      try { native.tunOpen(''); out.tun = 'opened'; } catch (e) { out.tun = { code: e.code, syscall: e.syscall }; }
      const kernel = createKernel({ memDevices: false });
      const events = [];
      kernel.events.on((e) => { events.push(e.type + ' ' + (e.data && e.data.event)); });
      const drv = new TapDriver(kernel);
      drv.attach();
      const u = drv.unavailable;
      out.unavailable = u && { code: u.code, errno: u.errno, syscall: u.syscall, path: u.path, message: u.message };
      out.nodes = kernel.mount().readdir('').map((d) => d.name);
      drv.create().then(() => { out.create = 'created'; }, (e) => { out.create = e.code; }).then(async () => {
        await kernel.events.flush();
        out.events = events;
        await drv.detach();
        process.stdout.write(JSON.stringify(out));
      });`;
    const stdout = execFileSync('setpriv', ['--inh-caps=-net_admin', '--bounding-set=-net_admin', process.execPath, '-e', script], { cwd: root, encoding: 'utf8' });
    const out = JSON.parse(stdout);
    expect(out.tun).toEqual({ code: 'EPERM', syscall: 'ioctl' });
    expect(out.unavailable).toMatchObject({ code: 'EPERM', syscall: 'capget', path: '/dev/net/tun' });
    expect(out.unavailable.errno).toBeLessThan(0);
    expect(out.unavailable.message).toContain('CAP_NET_ADMIN');
    expect(out.nodes).toEqual([]);
    expect(out.create).toBe('EPERM');
    expect(out.events).toContain('NOTIFY UNAVAILABLE');
  });
});

describeHost('tap driver as a plugin', [needRoot, needFile('/dev/net/tun')], () => {
  test('createHost loads @devfs/drivers-tap; driver("tap") creates and destroys', async () => {
    const { createHost } = await import('@devfs/core');
    const ns = enterTestNetns();
    try {
      const tapModule = await import('../src');
      const host = await createHost({ drivers: [tapModule], options: { tap: { watch: false } } });
      try {
        const tap = host.driver<TapDriver>('tap');
        const name = await tap.create();
        expect(taps()).toContain(name);
        expect(host.kernel.mount().readdir('').map((d) => d.name)).toEqual(expect.arrayContaining(['tap', name]));
        await tap.destroy(name);
        expect(taps()).not.toContain(name);
      } finally {
        await host.close();
      }
    } finally {
      ns.leave();
    }
  });
});
