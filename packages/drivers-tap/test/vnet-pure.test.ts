import { createKernel } from '@devfs/core';
import {
  buildVnetHdr, parseVnetHdr, TapDriver, VNET_HDR_LEN, VNET_F_NEEDS_CSUM, VNET_GSO_TCPV4, VNET_GSO_ECN,
} from '../src';
import { checkFeatures } from '../src/features';

describe('virtio-net header helpers', () => {
  test('build → parse round-trips every field, little-endian at the documented offsets', () => {
    const h = { flags: VNET_F_NEEDS_CSUM, gsoType: VNET_GSO_TCPV4 | VNET_GSO_ECN, hdrLen: 66, gsoSize: 1448, csumStart: 34, csumOffset: 16, numBuffers: 1 };
    const b = buildVnetHdr(h);
    expect(b.length).toBe(VNET_HDR_LEN);
    expect(Buffer.from(b).toString('hex')).toBe('01814200a805220010000100');
    expect(parseVnetHdr(b)).toEqual(h);
  });
  test('writes into a given buffer (a frame with room for its header), missing fields 0', () => {
    const frame = Buffer.alloc(VNET_HDR_LEN + 60, 0xff);
    buildVnetHdr({ gsoSize: 0x1234 }, frame);
    expect(frame.subarray(0, VNET_HDR_LEN).toString('hex')).toBe('000000003412000000000000');
    expect(frame[VNET_HDR_LEN]).toBe(0xff);
    expect(parseVnetHdr(frame.subarray(0, 12))).toMatchObject({ flags: 0, gsoSize: 0x1234 });
  });
  test('out-of-range fields and short buffers are RangeErrors; nothing is written', () => {
    const out = Buffer.alloc(12, 0xee);
    expect(() => buildVnetHdr({ gsoSize: 65536 }, out)).toThrow(RangeError);
    expect(() => buildVnetHdr({ flags: -1 }, out)).toThrow(RangeError);
    expect(() => buildVnetHdr({ hdrLen: 1.5 }, out)).toThrow(RangeError);
    expect(out.equals(Buffer.alloc(12, 0xee))).toBe(true);
    expect(() => parseVnetHdr(Buffer.alloc(11))).toThrow(RangeError);
    expect(() => buildVnetHdr({}, Buffer.alloc(11))).toThrow(RangeError);
  });
});

describe('feature options', () => {
  test('offload names become TUN_F_* bits; defaults are a plain tap', () => {
    expect(checkFeatures({ vnetHdr: true, offloads: ['csum', 'tso4', 'tso6', 'tso_ecn', 'ufo', 'uso4', 'uso6'] }, 'create').offloadBits).toBe(0x7f);
    expect(checkFeatures(undefined, 'create')).toEqual({ vnetHdr: false, offloads: [], offloadBits: 0, multiQueue: false, user: undefined, group: undefined, tun: false });
    expect(checkFeatures({ tun: true }, 'create').tun).toBe(true); // a layer-3 tunN (IFF_TUN)
    expect(() => checkFeatures({ tun: 'yes' }, 'create')).toThrow(/EINVAL/);
  });
  test.each([
    [{ offloads: ['csum'] }, /need vnetHdr/],
    [{ vnetHdr: true, offloads: ['tso9'] }, /unknown offload 'tso9'/],
    [{ vnetHdr: true, offloads: 'csum' }, /offloads must be an array/],
    [{ vnetHdr: 'yes' }, /vnetHdr/],
    [{ user: -1 }, /user/],
    [{ group: 2 ** 32 }, /group/],
  ])('%j → EINVAL', (o, msg) => {
    expect(() => checkFeatures(o, 'create')).toThrow(expect.objectContaining({ code: 'EINVAL', message: expect.stringMatching(msg) }));
  });
  test('the driver checks clone features and netns at construction; create() checks before the host', async () => {
    const k = createKernel({ memDevices: false });
    expect(() => new TapDriver(k, { clone: { offloads: ['csum'] } })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => new TapDriver(k, { netns: 7 as unknown as string })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    const d = new TapDriver(k, { watch: false });
    await expect(d.create({ vnetHdr: true, offloads: ['nope' as never] })).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(d.create({ unit: -1 })).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(d.create({ vnetHdr: true })).rejects.toMatchObject({ code: 'ENXIO' }); // valid, but not attached
  });
  test('a netns that cannot be entered makes the driver unavailable (coded), never throws at attach', () => {
    const d = new TapDriver(createKernel({ memDevices: false }), { netns: '/nonexistent/netns', watch: false });
    d.attach();
    if (process.getuid?.() === 0 && require('fs').existsSync('/dev/net/tun')) expect(d.unavailable).toMatchObject({ code: 'ENOENT' });
    else expect(d.unavailable).toBeDefined();
  });
});
