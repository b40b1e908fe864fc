import * as fs from 'fs';
import * as path from 'path';
import * as crypto from 'crypto';
import { execFileSync, spawn, spawnSync } from 'child_process';
import * as readline from 'readline';
import { createKernel, Kernel, Mount, DevFile } from '@devfs/core';
import {
  TapDriver, TAPGIFNAME, TAPREADFRAMES, TUNGETVNETHDRSZ, TUNSETQUEUE, IFF_ATTACH_QUEUE, IFF_DETACH_QUEUE,
  readFrames, writeFrames, buildVnetHdr, parseVnetHdr, VNET_HDR_LEN, VNET_GSO_NONE,
} from '../src';
import { describeHost, needRoot, needFile, needTool } from '../../../test-support/host';
import { until } from '../../../test-support/wait';
import { enterTestNetns, TestNetns } from '../../../native/test/tap-netns';

const BRIDGE = path.join(__dirname, '..', '..', '..', 'examples', 'tap-bridge', 'bridge.js');

describeHost('tap vnet headers, offloads, multi-queue, ownership, batches (real interfaces)',
  [needRoot, needFile('/dev/net/tun'), needTool('ip'), needTool('iperf3')], () => {
    let ns: TestNetns;
    let kernel: Kernel;
    let drv: TapDriver;
    let m: Mount;
    const link = (name: string): string => ns.run('ip', '-d', 'link', 'show', name);

    beforeAll(() => {
      ns = enterTestNetns();
      ns.run('sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1');
      kernel = createKernel({ memDevices: false });
      drv = new TapDriver(kernel, { clone: { vnetHdr: true, offloads: ['csum', 'tso4', 'tso6'] } });
      drv.attach();
      m = kernel.mount();
    });
    afterAll(async () => {
      await drv?.detach();
      ns?.leave();
    });

    test('create({vnetHdr, offloads, multiQueue, user, group}): ip -d link shows it; each open is a queue; TUNSETQUEUE detaches/attaches', async () => {
      const name = await drv.create({ vnetHdr: true, offloads: ['csum', 'tso4', 'tso6', 'tso_ecn'], multiQueue: true, user: 65534, group: 65534 });
      expect(link(name)).toMatch(/vnet_hdr on multi_queue numqueues 0 .*persist on user nobody group nogroup/);
      const qs: DevFile[] = [];
      for (let i = 0; i < 3; i++) qs.push(await m.open(name, 'r+'));
      expect(link(name)).toMatch(/numqueues 3 numdisabled 0/);
      for (const q of qs) expect(await q.ioctl(TUNGETVNETHDRSZ)).toBe(VNET_HDR_LEN);
      await qs[1].ioctl(TUNSETQUEUE, IFF_DETACH_QUEUE);
      expect(link(name)).toMatch(/numdisabled 1/);
      await qs[1].ioctl(TUNSETQUEUE, IFF_ATTACH_QUEUE);
      expect(link(name)).toMatch(/numdisabled 0/);
      await expect(qs[1].ioctl(TUNSETQUEUE, 5)).rejects.toMatchObject({ code: 'EINVAL', syscall: 'ioctl' });
      await qs[2].close();
      expect(link(name)).toMatch(/numqueues 2/);
      await qs[0].close();
      await qs[1].close();
      expect(link(name)).toMatch(/numqueues 0/);
      await drv.destroy(name);
    });

    test('offloads the kernel refuses are EINVAL naming them, nothing left behind; USO where the kernel has it', async () => {
      const before = drv.list().length;
      await expect(drv.create({ vnetHdr: true, offloads: ['tso4'] })).rejects.toMatchObject({ // TSO needs csum (the kernel's rule)
        code: 'EINVAL', syscall: 'create', message: expect.stringMatching(/offloads \[tso4\] not supported/),
      });
      expect(drv.list().length).toBe(before);
      const [major, minor] = (/^(\d+)\.(\d+)/.exec(require('os').release()) ?? ['', '0', '0']).slice(1).map(Number);
      const uso = drv.create({ vnetHdr: true, offloads: ['csum', 'tso4', 'tso6', 'tso_ecn', 'ufo', 'uso4', 'uso6'] });
      if (major > 6 || (major === 6 && minor >= 2)) await drv.destroy(await uso); // TUN_F_USO4/6 since Linux 6.2
      else await expect(uso).rejects.toMatchObject({ code: 'EINVAL' });
    });

    test('single-queue interfaces: second open EBUSY, TUNSETQUEUE EINVAL, no header → TUNGETVNETHDRSZ EINVAL', async () => {
      const vnet = await drv.create({ vnetHdr: true });
      const plain = await drv.create();
      expect(link(vnet)).toMatch(/vnet_hdr on persist on/);
      expect(link(vnet)).not.toMatch(/multi_queue/);
      expect(link(plain)).toMatch(/vnet_hdr off/);
      const f = await m.open(vnet, 'r+');
      await expect(m.open(vnet, 'r+')).rejects.toMatchObject({ code: 'EBUSY' });
      await expect(f.ioctl(TUNSETQUEUE, IFF_DETACH_QUEUE)).rejects.toMatchObject({ code: 'EINVAL' });
      const g = await m.open(plain, 'r+');
      await expect(g.ioctl(TUNGETVNETHDRSZ)).rejects.toMatchObject({ code: 'EINVAL' });
      await f.close();
      await g.close();
      await drv.destroy(vnet);
      await drv.destroy(plain);
    });

    // /dev/net/tun is often 0600: as tun owners are meant to be used, root opens it and hands the
    // fd to the unprivileged process, which attaches (TUNSETIFF) — allowed only by TUNSETOWNER/GROUP.
    describeHost('ownership', [needFile('/usr/bin/python3')], () => {
      test('user/group: uid 65534 may attach to a tap owned by it (user or group), not to one owned by uid/gid 1 (EPERM)', async () => {
        const byUser = await drv.create({ vnetHdr: true, multiQueue: true, user: 65534 });
        const byGroup = await drv.create({ vnetHdr: true, multiQueue: true, group: 65534 });
        const other = await drv.create({ vnetHdr: true, multiQueue: true, user: 1, group: 1 }); // someone else's
        const attach = (name: string): string => {
          const fd = fs.openSync('/dev/net/tun', 'r+');
          try {
            return spawnSync('/usr/bin/python3', ['-c', `
import errno, fcntl, struct
try:
    fcntl.ioctl(3, 0x400454ca, struct.pack('16sH22x', ${JSON.stringify(name)}.encode(), 0x2 | 0x1000 | 0x4000 | 0x100))
    print('OK')
except OSError as e:
    print(errno.errorcode[e.errno])`], { uid: 65534, gid: 65534, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe', fd] }).stdout.trim();
          } finally {
            fs.closeSync(fd);
          }
        };
        expect(attach(byUser)).toBe('OK');
        expect(attach(byGroup)).toBe('OK');
        expect(attach(other)).toBe('EPERM');
        for (const n of [byUser, byGroup, other]) await drv.destroy(n);
      });
    });

    test('clones get the driver\'s clone features; readFrames/writeFrames move a batch with its virtio-net headers', async () => {
      const a = await m.open('tap', 'r+');
      const b = await m.open('tap', 'r+');
      const na = (await a.ioctl(TAPGIFNAME)) as string, nb = (await b.ioctl(TAPGIFNAME)) as string;
      expect(link(na)).toMatch(/vnet_hdr on persist off/);
      ns.run('ip', 'link', 'add', 'brv', 'type', 'bridge', 'forward_delay', '0', 'stp_state', '0');
      for (const n of [na, nb]) ns.run('ip', 'link', 'set', n, 'master', 'brv', 'up');
      ns.run('ip', 'link', 'set', 'brv', 'up');
      const frames = [60, 600, 1514].map((n, i) => {
        const f = Buffer.alloc(VNET_HDR_LEN + n, i + 1);
        buildVnetHdr({}, f);
        Buffer.from('02000000000202000000000188b5', 'hex').copy(f, VNET_HDR_LEN);
        return f;
      });
      const bufs = Array.from({ length: 8 }, () => Buffer.alloc(2048));
      let got: number[] = [];
      let tries = 0;
      await until(async () => {
        if (tries++ % 10 === 0) expect(await writeFrames(a, frames)).toBe(3); // again until the bridge ports forward
        const lens = await readFrames(b, bufs, { wait: false }).catch(() => [] as number[]);
        got = lens.filter((_, k) => bufs[k].readUInt16BE(VNET_HDR_LEN + 12) === 0x88b5);
        if (got.length === 3) {
          const idx = lens.findIndex((_, k) => bufs[k].readUInt16BE(VNET_HDR_LEN + 12) === 0x88b5);
          expect(parseVnetHdr(bufs[idx])).toMatchObject({ gsoType: VNET_GSO_NONE });
          expect(bufs[idx + 2][VNET_HDR_LEN + 20]).toBe(3);
        }
        return got.length >= 3;
      }, 'the three frames through the bridge', 5000, 20);
      expect(got).toEqual([VNET_HDR_LEN + 60, VNET_HDR_LEN + 600, VNET_HDR_LEN + 1514]);
      expect(await b.ioctl(TAPREADFRAMES, bufs)).toEqual([]); // nothing waits: no frames, no EAGAIN thrown inside
      await expect(readFrames(b, bufs, { wait: false })).rejects.toMatchObject({ code: 'EAGAIN' });
      await expect(readFrames(b, [])).rejects.toMatchObject({ code: 'EINVAL' });
      await expect(writeFrames(a, [Buffer.alloc(VNET_HDR_LEN + 70000)])).rejects.toMatchObject({ code: 'EMSGSIZE' });
      await expect(writeFrames(a, ['x' as unknown as Buffer])).rejects.toMatchObject({ code: 'EINVAL' });
      await a.close();
      await b.close();
      await expect(readFrames(b, bufs)).rejects.toMatchObject({ code: 'EBADF' });
      ns.run('ip', 'link', 'del', 'brv');
    });

    test('TCP through examples/tap-bridge with offloads: ≥ 4 MiB arrive in 1 s, carried in GSO super-frames', async () => {
      const tag = crypto.randomBytes(3).toString('hex');
      const na = `devfs-test-va-${tag}`, nb = `devfs-test-vb-${tag}`;
      execFileSync('ip', ['netns', 'add', na]);
      execFileSync('ip', ['netns', 'add', nb]);
      const child = spawn(process.execPath, [BRIDGE, '--a', `/run/netns/${na}`, '--b', `/run/netns/${nb}`, '--offloads'], { stdio: ['ignore', 'pipe', 'inherit'] });
      try {
        const lines = readline.createInterface({ input: child.stdout! });
        const it = lines[Symbol.asyncIterator]();
        const ready = JSON.parse((await it.next()).value as string) as { a: string; b: string };
        const inA = (...a: string[]): string => execFileSync('ip', ['netns', 'exec', na, ...a], { encoding: 'utf8' });
        const inB = (...a: string[]): string => execFileSync('ip', ['netns', 'exec', nb, ...a], { encoding: 'utf8' });
        expect(inA('ip', '-d', 'link', 'show', ready.a)).toMatch(/vnet_hdr on/);
        inA('ip', 'addr', 'add', '10.211.0.1/24', 'dev', ready.a);
        inB('ip', 'addr', 'add', '10.211.0.2/24', 'dev', ready.b);
        inA('ip', 'link', 'set', ready.a, 'up');
        inB('ip', 'link', 'set', ready.b, 'up');
        const server = spawn('ip', ['netns', 'exec', nb, 'iperf3', '-s', '-1', '-B', '10.211.0.2'], { stdio: 'ignore' });
        let result: { end?: { sum_received?: { bytes: number } }; error?: string } = {};
        const measured = () => {                 // again until the server listens
          const r = spawnSync('ip', ['netns', 'exec', na, 'iperf3', '-c', '10.211.0.2', '-t', '1', '-J'], { encoding: 'utf8', timeout: 30000 });
          try { result = JSON.parse(r.stdout); } catch { result = {}; }
          return !!result.end?.sum_received;
        };
        await until(measured, () => `an iperf3 run (last: ${JSON.stringify(result.error ?? result)})`, 20000, 100);
        server.kill('SIGKILL');
        expect(result.end?.sum_received?.bytes).toBeGreaterThanOrEqual(4 * 1024 * 1024);
        child.kill('SIGTERM');
        const { frames } = JSON.parse((await it.next()).value as string) as { frames: number };
        // without GSO every 1448 bytes of payload would be a frame of its own (one way alone);
        // with it a frame carries up to 64 KiB, so far fewer frames than segments cross the bridge
        const segments = result.end!.sum_received!.bytes / 1448;
        expect(frames).toBeGreaterThan(0);
        expect(frames).toBeLessThan(segments / 4);
      } finally {
        child.kill('SIGKILL');
        for (const n of [na, nb]) execFileSync('ip', ['netns', 'del', n]);
      }
    }, 60000);
  });
