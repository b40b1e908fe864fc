import * as fs from 'fs';
import * as path from 'path';
import { execFileSync, spawn } from 'child_process';
import { native, LinkEvent, LinkWatcherHandle } from '../lib/index';
import type { FdPoller } from '../lib/index';
import { describeHost, needRoot, needFile, needTool } from '../../test-support/host';
import { until } from '../../test-support/wait';
import { enterTestNetns, linkNames, TestNetns } from './tap-netns';

/** Inode-table calls used to check what the watcher registered. */
const inodes = native;

const openFds = (): number => fs.readdirSync('/proc/self/fd').length;

function waitFor(events: LinkEvent[], pred: (e: LinkEvent) => boolean, ms = 2000): Promise<LinkEvent> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = (): void => {
      const hit = events.find(pred);
      if (hit) resolve(hit);
      else if (Date.now() - t0 > ms) reject(new Error(`no matching link event in ${ms} ms: ${JSON.stringify(events)}`));
      else setTimeout(tick, 5);
    };
    tick();
  });
}

describeHost('native tap (/dev/net/tun, rtnetlink)', [needRoot, needFile('/dev/net/tun'), needTool('ip'), needTool('ping')], () => {
  let ns: TestNetns;
  beforeAll(() => { ns = enterTestNetns(); });
  afterAll(() => ns?.leave());

  test('tunOpen("") makes a tapN the kernel names; closing the fd removes it', () => {
    const before = openFds();
    const t = native.tunOpen('');
    expect(t.name).toMatch(/^tap\d+$/);
    expect(native.tunGetName(t.fd)).toBe(t.name);
    expect(linkNames()).toContain(t.name);
    expect(native.ifIndex(t.name)).toBeGreaterThan(0);
    expect(fs.readlinkSync(`/proc/self/fd/${t.fd}`)).toBe('/dev/net/tun');
    const fl = fs.readFileSync(`/proc/self/fdinfo/${t.fd}`, 'utf8');
    const flags = parseInt(/flags:\s+(\d+)/.exec(fl)![1], 8);
    expect(flags & fs.constants.O_NONBLOCK).toBeTruthy();
    expect(flags & 0o2000000 /* O_CLOEXEC */).toBeTruthy();
    native.fdClose(t.fd);
    expect(linkNames()).not.toContain(t.name);
    expect(openFds()).toBe(before);
  });

  test('a persistent tap outlives its fd until ifDelete; errors carry code/syscall/path', () => {
    const t = native.tunOpen('tap41');
    expect(t.name).toBe('tap41');
    native.tunSetPersist(t.fd, true);
    native.fdClose(t.fd);
    expect(linkNames()).toContain('tap41');
    native.ifDelete('tap41');
    expect(linkNames()).not.toContain('tap41');
    expect(() => native.ifDelete('tap41')).toThrow(expect.objectContaining({ code: 'ENODEV', syscall: 'RTM_DELLINK', path: 'tap41' }));
    expect(() => native.ifGetMtu('tap41')).toThrow(expect.objectContaining({ code: 'ENODEV', syscall: 'ioctl', path: 'tap41', errno: -19 }));
    expect(() => native.tunOpen('bad/name')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => native.tunOpen('x'.repeat(16))).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });

  test('second open of an attached tap is EBUSY; exclusive open of an existing one too', () => {
    const t = native.tunOpen('tap42');
    try {
      expect(() => native.tunOpen('tap42')).toThrow(expect.objectContaining({ code: 'EBUSY', path: 'tap42' }));
      ns.run('ip', 'tuntap', 'add', 'dev', 'tap43', 'mode', 'tap');
      expect(() => native.tunOpen('tap43', true)).toThrow(expect.objectContaining({ code: 'EBUSY', path: 'tap43' }));
      const again = native.tunOpen('tap43');
      native.fdClose(again.fd);
      ns.run('ip', 'link', 'del', 'tap43');
    } finally {
      native.fdClose(t.fd);
    }
  });

  test('hardware address, flags, MTU', () => {
    const t = native.tunOpen('');
    try {
      const mac = Buffer.from([0xf2, 0x0b, 0xa4, 1, 2, 3]);
      native.ifSetHwaddr(t.name, mac);
      expect(native.ifGetHwaddr(t.name)).toEqual(mac);
      expect(execFileSync('ip', ['link', 'show', t.name], { encoding: 'utf8' })).toContain('f2:0b:a4:01:02:03');
      expect(() => native.ifSetHwaddr(t.name, Buffer.alloc(5))).toThrow(expect.objectContaining({ code: 'EINVAL' }));
      expect(native.ifGetFlags(t.name) & 1).toBe(0);
      native.ifSetUp(t.name, true);
      expect(native.ifGetFlags(t.name) & 1).toBe(1);
      native.ifSetUp(t.name, false);
      expect(native.ifGetFlags(t.name) & 1).toBe(0);
      expect(native.ifGetMtu(t.name)).toBe(1500);
    } finally {
      native.fdClose(t.fd);
    }
  });

  test('frames: the kernel ARP request arrives as one datagram through FdPoller', async () => {
    const t = native.tunOpen('');
    ns.run('ip', 'addr', 'add', '10.77.1.1/24', 'dev', t.name);
    native.ifSetUp(t.name, true);
    const frames: Buffer[] = [];
    const buf = Buffer.alloc(2048);
    const poller: FdPoller = new native.FdPoller(t.fd, {
      mode: 'datagram',
      onFrames: () => { for (let n = poller.readFrame(buf); n >= 0; n = poller.readFrame(buf)) frames.push(Buffer.from(buf.subarray(0, n))); },
      onEnd: () => undefined,
    });
    poller.startReading();
    const ping = spawn('ping', ['-c', '1', '-W', '1', '10.77.1.2'], { stdio: 'ignore' });
    try {
      await until(() => frames.some((f) => f.readUInt16BE(12) === 0x0806), 'an ARP frame from ping', 3000);
      const arp = frames.find((f) => f.readUInt16BE(12) === 0x0806)!;
      expect(arp).toBeDefined();
      expect(arp.length).toBeGreaterThanOrEqual(42);
      expect(arp.subarray(0, 6)).toEqual(Buffer.alloc(6, 0xff));
      expect(arp.subarray(6, 12)).toEqual(native.ifGetHwaddr(t.name));
      expect([...arp.subarray(38, 42)]).toEqual([10, 77, 1, 2]);
    } finally {
      ping.kill();
      poller.close();
      native.fdClose(t.fd);
    }
  });

  describe('link watcher', () => {
    let watcher: LinkWatcherHandle;
    const events: LinkEvent[] = [];
    beforeAll(() => { watcher = native.startLinkWatcher((e) => events.push(e)); });
    afterAll(() => watcher?.stop());

    test('a tap added and deleted with ip is registered and cleared from the watcher thread', async () => {
      ns.run('ip', 'tuntap', 'add', 'dev', 'tap77', 'mode', 'tap');
      const add = await waitFor(events, (e) => e.type === 'add' && e.name === 'tap77');
      expect(add.claimed).toBe(false);
      expect(add.ino).toBeGreaterThanOrEqual(3);
      expect(add.ifindex).toBe(native.ifIndex('tap77'));
      expect(inodes.inodeIsLive(add.ino, add.gen)).toBe(true);
      expect(inodes.inodeForeignName(add.ino, add.gen)).toBe('tap77');
      ns.run('ip', 'link', 'del', 'tap77');
      const del = await waitFor(events, (e) => e.type === 'del' && e.name === 'tap77');
      expect(del.ino).toBe(add.ino);
      expect(inodes.inodeIsLive(add.ino, add.gen)).toBe(false);
    });

    test('tun-mode interfaces are not taps; claimed names get no inode', async () => {
      ns.run('ip', 'tuntap', 'add', 'dev', 'tun78', 'mode', 'tun');
      watcher.claim('tap79');
      const t = native.tunOpen('tap79');
      const add = await waitFor(events, (e) => e.name === 'tap79');
      expect(add).toMatchObject({ type: 'add', claimed: true, ino: 0 });
      native.fdClose(t.fd);
      await waitFor(events, (e) => e.type === 'del' && e.name === 'tap79');
      watcher.release('tap79');
      ns.run('ip', 'link', 'del', 'tun78');
      expect(events.some((e) => e.name === 'tun78')).toBe(false);
    });

    test('bringing a known tap up and down is a change event with the new flags', async () => {
      watcher.claim('tap81');
      const t = native.tunOpen('tap81');
      try {
        await waitFor(events, (e) => e.type === 'add' && e.name === 'tap81');
        native.ifSetUp('tap81', true);
        const up = await waitFor(events, (e) => e.type === 'change' && e.name === 'tap81');
        expect(up.flags & 1).toBe(1);
        native.ifSetUp('tap81', false);
        await waitFor(events, (e) => e.type === 'change' && e.name === 'tap81' && (e.flags & 1) === 0);
      } finally {
        native.fdClose(t.fd);
        watcher.release('tap81');
      }
    });

    test('stop() clears what the watcher registered; a new watcher reports existing taps', async () => {
      ns.run('ip', 'tuntap', 'add', 'dev', 'tap80', 'mode', 'tap');
      const seen: LinkEvent[] = [];
      const w2 = native.startLinkWatcher((e) => seen.push(e));
      const add = await waitFor(seen, (e) => e.type === 'add' && e.name === 'tap80');
      expect(inodes.inodeIsLive(add.ino, add.gen)).toBe(true);
      w2.stop();
      w2.stop();
      expect(inodes.inodeIsLive(add.ino, add.gen)).toBe(false);
      ns.run('ip', 'link', 'del', 'tap80');
    });
  });
});

describeHost('native tap features (vnet header, offloads, queues, owner; batched frames; close on the pool)', [needRoot, needFile('/dev/net/tun'), needTool('ip')], () => {
  let ns: TestNetns;
  beforeAll(() => { ns = enterTestNetns(); });
  afterAll(() => ns?.leave());

  test('tunOpen with vnetHdr/multiQueue sets the flags; header size 12 round-trips; bad offloads/sizes are coded errors', () => {
    const t = native.tunOpen('', false, { vnetHdr: true, multiQueue: true });
    try {
      expect(native.tunGetFlags(t.fd) & 0x4000).toBe(0x4000); // IFF_VNET_HDR
      expect(native.tunGetFlags(t.fd) & 0x0100).toBe(0x0100); // IFF_MULTI_QUEUE
      native.tunSetVnetHdrSz(t.fd, 12);
      expect(native.tunGetVnetHdrSz(t.fd)).toBe(12);
      expect(() => native.tunSetVnetHdrSz(t.fd, 4)).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'ioctl' }));
      native.tunSetOffload(t.fd, 0x01 | 0x02 | 0x04 | 0x08);
      expect(() => native.tunSetOffload(t.fd, 0x02)).toThrow(expect.objectContaining({ code: 'EINVAL' })); // TSO without CSUM
      expect(() => native.tunSetOffload(t.fd, 0x1000)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
      const second = native.tunOpen(t.name, false, { vnetHdr: true, multiQueue: true }); // a second queue, not EBUSY
      expect(ns.run('ip', '-d', 'link', 'show', t.name)).toMatch(/multi_queue numqueues 2/);
      native.tunSetQueue(second.fd, false);
      expect(ns.run('ip', '-d', 'link', 'show', t.name)).toMatch(/numdisabled 1/);
      native.tunSetQueue(second.fd, true);
      expect(ns.run('ip', '-d', 'link', 'show', t.name)).toMatch(/numdisabled 0/);
      native.fdClose(second.fd);
      expect(() => native.tunOpen(t.name, false, { vnetHdr: true })).toThrow(expect.objectContaining({ code: 'EINVAL' })); // single-queue open of a multi-queue tap
    } finally {
      native.fdClose(t.fd);
    }
  });

  test('tunSetOwner/tunSetGroup appear in ip -d link; out-of-range ids are EINVAL', () => {
    const t = native.tunOpen('');
    try {
      native.tunSetOwner(t.fd, 65534);
      native.tunSetGroup(t.fd, 65534);
      expect(ns.run('ip', '-d', 'link', 'show', t.name)).toMatch(/user nobody group nogroup/);
      expect(() => native.tunSetOwner(t.fd, 2 ** 32)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
      expect(() => native.tunSetGroup(t.fd, 1.5)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    } finally {
      native.fdClose(t.fd);
    }
  });

  test('FdPoller readFrames/writeFrames move a batch in one call; close(done) closes the fd on the pool, then calls done', async () => {
    const a = native.tunOpen(''), b = native.tunOpen('');
    ns.run('ip', 'link', 'add', 'brf', 'type', 'bridge', 'forward_delay', '0', 'stp_state', '0');
    for (const n of [a.name, b.name]) ns.run('ip', 'link', 'set', n, 'master', 'brf', 'up');
    ns.run('ip', 'link', 'set', 'brf', 'up');
    const onFrames = jest.fn();
    const mk = (fd: number): FdPoller => new native.FdPoller(fd, { mode: 'datagram', ownsFd: true, onFrames, onEnd: () => undefined });
    const pa = mk(a.fd), pb = mk(b.fd);
    pb.startReading();
    const frames = [64, 100, 1514].map((n, i) => {
      const f = Buffer.alloc(n, i);
      Buffer.from('02000000000202000000000188b5', 'hex').copy(f);
      return f;
    });
    let got: number[] = [];
    const bufs = [Buffer.alloc(2048), Buffer.alloc(2048), Buffer.alloc(2048), Buffer.alloc(2048)];
    const lens = new Uint32Array(4);
    let tries = 0;
    await until(() => {
      if (tries++ % 10 === 0) expect(pa.writeFrames(frames)).toBe(3); // until the bridge forwards (ports come up asynchronously)
      const n = pb.readFrames(bufs, lens);
      got = Array.from(lens.subarray(0, n)).filter((x, k) => bufs[k][12] === 0x88 && bufs[k][13] === 0xb5);
      return got.length >= 3;
    }, 'the three frames through the bridge', 5000, 20);
    expect(got).toEqual([64, 100, 1514]);
    expect(pb.readFrames(bufs, lens)).toBeGreaterThanOrEqual(0);
    expect(() => pb.readFrames(bufs, new Uint32Array(1))).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => pa.writeFrames([Buffer.alloc(60), 'x' as unknown as Buffer])).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    const fd = a.fd;
    const closed = new Promise<void>((r) => pa.close(r));
    expect(pa.closed).toBe(true);
    expect(() => pa.writeFrames(frames)).toThrow(expect.objectContaining({ code: 'EBADF' }));
    await closed;
    expect(fs.existsSync(`/proc/self/fd/${fd}`) && fs.readlinkSync(`/proc/self/fd/${fd}`) === '/dev/net/tun').toBe(false);
    expect(linkNames()).not.toContain(a.name);
    pb.close();
    ns.run('ip', 'link', 'del', 'brf');
  });

  test('a worker that ends right after close(done) and one that never closes: both fds are closed, both taps gone', async () => {
    const { Worker } = await import('worker_threads');
    const addon = require.resolve(process.env.DEVFS_NATIVE_PATH || path.resolve(__dirname, '../build/Release/devfs_native.node'));
    const before = openFds();
    const code = `
      const { parentPort, workerData } = require('worker_threads');
      const native = require(workerData.addon);
      const t = native.tunOpen('');
      const p = new native.FdPoller(t.fd, { mode: 'datagram', ownsFd: true, onFrames() {}, onEnd() {} });
      p.startReading();
      parentPort.postMessage(t.name);
      if (workerData.close) p.close(() => {});
      process.exit(0);`;
    for (const close of [true, false]) {
      const w = new Worker(code, { eval: true, workerData: { addon, close } });
      const name = await new Promise<string>((r) => w.once('message', r));
      await new Promise((r) => w.once('exit', r));
      expect(linkNames()).not.toContain(name);
    }
    expect(openFds()).toBe(before);
  });
});
