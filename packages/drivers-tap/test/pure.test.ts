import { execFileSync } from 'child_process';
import { createKernel, FIOASYNC, FIOGETOWN, FIONBIO, FIONREAD, FIOSETOWN } from '@devfs/core';
import {
  AF_INET, AF_LINK, IFF_ATTACH_QUEUE, IFF_DETACH_QUEUE, SIOCSIFPHYADDR, TAPGIFNAME, TAPREADFRAMES, TAPWRITEFRAMES, TUNGETVNETHDRSZ, TUNSETQUEUE,
} from '../src/constants';
import { checkMac, formatMac, parseMac, randomTapMac } from '../src/mac';
import { tapIoctl, TapIoctlTarget } from '../src/ioctl';
import { TapDriver, TapInterface, TapOptions } from '../src';
import { ownProcessGroup } from '../src/owner';

describe('MAC addresses', () => {
  test('parse accepts 11..17 characters of six hex groups', () => {
    expect(formatMac(parseMac('f2:0b:a4:01:02:03'))).toBe('f2:0b:a4:01:02:03');
    expect(formatMac(parseMac('2:0:0:0:0:1'))).toBe('02:00:00:00:00:01');
    expect(formatMac(parseMac('F2:0B:A4:FF:EE:DD'))).toBe('f2:0b:a4:ff:ee:dd');
  });
  test.each([
    ['too short', '2:0:0:0:1'],
    ['too long', 'f2:0b:a4:01:02:03:'],
    ['not hex', 'f2:0b:a4:01:02:zz'],
    ['seven groups', '2:0:0:0:0:1:1'],
    ['dash separated', 'f2-0b-a4-01-02-03'],
    ['multicast', '01:00:5e:00:00:01'],
    ['broadcast', 'ff:ff:ff:ff:ff:ff'],
    ['all zero', '00:00:00:00:00:00'],
  ])('rejects %s with EINVAL', (_why, text) => {
    expect(() => parseMac(text, 'sysctl', 'net.link.tap.tap0')).toThrow(expect.objectContaining({ code: 'EINVAL', path: 'net.link.tap.tap0' }));
  });
  test('non-strings and wrong lengths are EINVAL', () => {
    expect(() => parseMac(42)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => checkMac(Buffer.alloc(5, 2))).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });
  test('messages: one code prefix, the value quoted once (or not at all for a caller that quotes it)', () => {
    const messageOf = (f: () => unknown) => { try { f(); } catch (e) { return (e as Error).message; } return ''; };
    expect(messageOf(() => parseMac('zz', 'ioctl', 'tap'))).toBe("EINVAL: 'zz' is not a usable MAC address: a MAC address has 11 to 17 characters 'tap'");
    expect(messageOf(() => parseMac('zz:00:00:00:00:01', 'sysctl', 'net.link.tap.tap0', false)))
      .toBe("EINVAL: a MAC address is six ':'-separated groups of 1 or 2 hex digits (xx:xx:xx:xx:xx:xx) 'net.link.tap.tap0'");
    expect(messageOf(() => parseMac('01:00:5e:00:00:01', 'sysctl', 'k', false))).toBe("EINVAL: a multicast address cannot be an interface address 'k'");
    expect(messageOf(() => checkMac(Buffer.alloc(6)))).toBe('EINVAL: 00:00:00:00:00:00 is not a usable MAC address: the all-zero address is not allowed');
  });
  test('random addresses carry the f2:0b:a4 prefix, are unicast and differ', () => {
    const a = randomTapMac();
    const b = randomTapMac();
    expect(formatMac(a)).toMatch(/^f2:0b:a4:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}$/);
    expect(a[0] & 1).toBe(0);
    expect(a.equals(b) && randomTapMac().equals(a)).toBe(false);
  });
});

describe('tap ioctl table', () => {
  const target = (): TapIoctlTarget & { macs: Buffer[]; queue: boolean[] } => {
    const t = { name: 'tap3', async: false, owner: 0, macs: [] as Buffer[], next: 0, queue: [] as boolean[],
      nextFrameLength: () => t.next, setMac: (a: Buffer) => { t.macs.push(a); },
      readFrames: (bufs: Buffer[]) => bufs.map((b) => b.length), writeFrames: (bufs: Buffer[]) => bufs.length,
      setQueue: (attach: boolean) => { t.queue.push(attach); }, vnetHdrSize: () => 12 };
    return t;
  };
  test('TUNSETQUEUE takes IFF_ATTACH_QUEUE/IFF_DETACH_QUEUE only; batches and TUNGETVNETHDRSZ reach the target', () => {
    const t = target();
    tapIoctl(t, TUNSETQUEUE, IFF_DETACH_QUEUE, 'tap3');
    tapIoctl(t, TUNSETQUEUE, IFF_ATTACH_QUEUE, 'tap3');
    expect(t.queue).toEqual([false, true]);
    expect(() => tapIoctl(t, TUNSETQUEUE, 0x600, 'tap3')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(t.queue).toEqual([false, true]);
    expect(tapIoctl(t, TAPREADFRAMES, [Buffer.alloc(3), Buffer.alloc(5)], 'tap3')).toEqual([3, 5]);
    expect(tapIoctl(t, TAPWRITEFRAMES, [Buffer.alloc(3)], 'tap3')).toBe(1);
    expect(tapIoctl(t, TUNGETVNETHDRSZ, undefined, 'tap3')).toBe(12);
  });
  test('FIONREAD, FIOASYNC, FIOSETOWN/FIOGETOWN, TAPGIFNAME, FIONBIO', () => {
    const t = target();
    expect(tapIoctl(t, FIONREAD, undefined, 'tap3')).toBe(0);
    (t as unknown as { next: number }).next = 42;
    expect(tapIoctl(t, FIONREAD, undefined, 'tap3')).toBe(42);
    tapIoctl(t, FIOASYNC, 1, 'tap3');
    expect(t.async).toBe(true);
    tapIoctl(t, FIOASYNC, { value: 0 }, 'tap3');
    expect(t.async).toBe(false);
    tapIoctl(t, FIOSETOWN, process.pid, 'tap3');
    expect(tapIoctl(t, FIOGETOWN, undefined, 'tap3')).toBe(process.pid);
    expect(tapIoctl(t, TAPGIFNAME, undefined, 'tap3')).toBe('tap3');
    expect(tapIoctl(t, FIONBIO, true, 'tap3')).toBe(0);
    expect(() => tapIoctl(t, FIOSETOWN, 'x', 'tap3')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });
  test('FIOSETOWN: this process, its own process group or 0; any other pid or group is EPERM and changes nothing', () => {
    const t = target();
    const pgrp = ownProcessGroup();
    expect(pgrp).toBeGreaterThan(0);
    tapIoctl(t, FIOSETOWN, -pgrp, 'tap3');
    expect(tapIoctl(t, FIOGETOWN, undefined, 'tap3')).toBe(-pgrp);
    for (const other of [1, -1, process.ppid, process.pid + 100000, -(pgrp + 1)]) {
      expect(() => tapIoctl(t, FIOSETOWN, other, 'tap3')).toThrow(expect.objectContaining({ code: 'EPERM', syscall: 'ioctl', path: 'tap3' }));
      expect(t.owner).toBe(-pgrp);
    }
    tapIoctl(t, FIOSETOWN, 0, 'tap3');
    expect(t.owner).toBe(0);
  });
  test('the process group is the one ps reports for this process', () => {
    const pgid = execFileSync('ps', ['-o', 'pgid=', '-p', String(process.pid)], { encoding: 'utf8' });
    expect(ownProcessGroup()).toBe(Number(pgid.trim()));
  });
  test('SIOCSIFPHYADDR checks family and address before touching anything', () => {
    const t = target();
    expect(() => tapIoctl(t, SIOCSIFPHYADDR, { family: AF_INET, addr: 'f2:0b:a4:00:00:01' }, 'tap3'))
      .toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'ioctl' }));
    expect(() => tapIoctl(t, SIOCSIFPHYADDR, { family: AF_LINK, addr: '01:00:5e:00:00:01' }, 'tap3'))
      .toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => tapIoctl(t, SIOCSIFPHYADDR, null, 'tap3')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(t.macs).toHaveLength(0);
    tapIoctl(t, SIOCSIFPHYADDR, { family: AF_LINK, addr: 'f2:0b:a4:00:00:01' }, 'tap3');
    tapIoctl(t, SIOCSIFPHYADDR, { family: AF_LINK, addr: Buffer.from([2, 0, 0, 0, 0, 9]) }, 'tap3');
    expect(t.macs.map(formatMac)).toEqual(['f2:0b:a4:00:00:01', '02:00:00:00:00:09']);
  });
  test('anything else is ENOTTY, not a silent success', () => {
    expect(() => tapIoctl(target(), 0x5401 /* TCGETS */, undefined, 'tap3'))
      .toThrow(expect.objectContaining({ code: 'ENOTTY', syscall: 'ioctl', path: 'tap3' }));
  });
});

describe('driver arguments', () => {
  test.each([
    ['options null', null],
    ['watch not a boolean', { watch: 'yes' }],
    ['queueFrames 0', { queueFrames: 0 }],
    ['queueFrames 1.5', { queueFrames: 1.5 }],
    ['uid -1', { uid: -1 }],
    ['mode 0o10000', { mode: 0o10000 }],
    ['tunPath not a string', { tunPath: 5 }],
  ])('TapDriver with %s → EINVAL', (_why, options) => {
    expect(() => new TapDriver(createKernel({ memDevices: false }), options as TapOptions))
      .toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'TapDriver' }));
  });
  test('defaults are filled in; TapInterface checks its queue size too', () => {
    expect(new TapDriver(createKernel({ memDevices: false })).options).toEqual({
      watch: true, queueFrames: 512, tunPath: '/dev/net/tun', netns: '', uid: 0, gid: 0, mode: 0o600,
      clone: { vnetHdr: false, offloads: [], offloadBits: 0, multiQueue: false, user: undefined, group: undefined, tun: false },
    });
    expect(() => new TapInterface('tap0', 'clone', 0, { notifyAsync() {}, lost() {}, host: (fn) => fn() })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });
  test('create(unit) and destroy(name) check their arguments before the host (EINVAL, not ENXIO)', async () => {
    const drv = new TapDriver(createKernel({ memDevices: false }), { tunPath: '/nonexistent/net/tun' });
    drv.attach();
    await expect(drv.destroy(undefined as unknown as string)).rejects.toMatchObject({ code: 'EINVAL', syscall: 'destroy' });
    await expect(drv.destroy('tap99')).rejects.toMatchObject({ code: 'ENXIO' });
    for (const unit of ['x', 1.5, -1, 32768]) {
      await expect(drv.create(unit as number)).rejects.toMatchObject({ code: 'EINVAL', syscall: 'create' });
    }
    // unavailable: the host's reason, prefixed once
    await expect(drv.create()).rejects.toMatchObject({ code: 'ENOENT', message: expect.stringMatching(/^ENOENT: tap driver unavailable: no TUN\/TAP device[^:]*$/) });
    await drv.detach();
  });
});

describe('host check', () => {
  test('CAP_NET_ADMIN is bit 12 of CapEff', () => {
    const { hasNetAdmin } = jest.requireActual('../src/host-check') as typeof import('../src/host-check');
    expect(hasNetAdmin('Name:\tnode\nCapEff:\t000001ffffffffff\n')).toBe(true);
    expect(hasNetAdmin('CapEff:\t0000000000000000\n')).toBe(false);
    expect(hasNetAdmin('CapEff:\t0000000000001000\n')).toBe(true);
    expect(hasNetAdmin('CapEff:\t0000000000000fff\n')).toBe(false);
    expect(hasNetAdmin('no caps here')).toBe(false);
  });
});
