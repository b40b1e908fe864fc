/**
 * The virtio-net header (`struct virtio_net_hdr_mrg_rxbuf`, 12 bytes, little-endian as the tun
 * driver uses it on little-endian hosts) that precedes every frame read from or written to an
 * interface made with `vnetHdr: true`:
 *
 * | offset | size | field         | meaning                                                      |
 * | ------ | ---- | ------------- | ------------------------------------------------------------ |
 * | 0      | 1    | `flags`       | `VNET_F_NEEDS_CSUM` (1): checksum from `csumStart`; `VNET_F_DATA_VALID` (2) |
 * | 1      | 1    | `gsoType`     | `VNET_GSO_NONE` 0, `TCPV4` 1, `UDP` 3, `TCPV6` 4, `UDP_L4` 5; `| VNET_GSO_ECN` (0x80) |
 * | 2      | 2    | `hdrLen`      | bytes of Ethernet + IP + L4 headers (GSO)                    |
 * | 4      | 2    | `gsoSize`     | payload bytes per segment (the MSS)                          |
 * | 6      | 2    | `csumStart`   | where checksumming starts (from the Ethernet header)         |
 * | 8      | 2    | `csumOffset`  | where, after `csumStart`, the checksum is stored             |
 * | 10     | 2    | `numBuffers`  | mergeable receive buffers (1 on tap; 0 on write is fine)     |
 */

/** Bytes of the virtio-net header the driver configures (TUNSETVNETHDRSZ 12). */
export const VNET_HDR_LEN = 12;
/** flags: the checksum at csumStart + csumOffset still has to be computed. */
export const VNET_F_NEEDS_CSUM = 1;
/** flags: the checksum was validated. */
export const VNET_F_DATA_VALID = 2;
/** gsoType: one ordinary frame. */
export const VNET_GSO_NONE = 0;
/** gsoType: a TCP/IPv4 super-frame to be segmented at gsoSize. */
export const VNET_GSO_TCPV4 = 1;
/** gsoType: UDP fragmentation offload (UFO). */
export const VNET_GSO_UDP = 3;
/** gsoType: a TCP/IPv6 super-frame. */
export const VNET_GSO_TCPV6 = 4;
/** gsoType: UDP segmentation (USO). */
export const VNET_GSO_UDP_L4 = 5;
/** gsoType bit: the TCP super-frame carries ECN (TSO_ECN). */
export const VNET_GSO_ECN = 0x80;

/** The fields of a virtio-net header. */
export interface VnetHdr {
  flags: number;
  gsoType: number;
  hdrLen: number;
  gsoSize: number;
  csumStart: number;
  csumOffset: number;
  numBuffers: number;
}

/** Parses the header at the start of `frame` (RangeError when it is shorter than 12 bytes). */
export function parseVnetHdr(frame: Uint8Array): VnetHdr {
  if (frame.length < VNET_HDR_LEN) throw new RangeError(`a virtio-net header needs ${VNET_HDR_LEN} bytes, got ${frame.length}`);
  const v = new DataView(frame.buffer, frame.byteOffset, VNET_HDR_LEN);
  return {
    flags: v.getUint8(0), gsoType: v.getUint8(1), hdrLen: v.getUint16(2, true), gsoSize: v.getUint16(4, true),
    csumStart: v.getUint16(6, true), csumOffset: v.getUint16(8, true), numBuffers: v.getUint16(10, true),
  };
}

/**
 * Writes a header into the first 12 bytes of `out` (a new Buffer when omitted) and returns it.
 * Missing fields are 0 (no offload: an ordinary, fully checksummed frame). Out-of-range fields
 * throw a RangeError and leave `out` untouched (flags/gsoType 0..255, the others 0..65535).
 */
export function buildVnetHdr(h: Partial<VnetHdr> = {}, out: Uint8Array = Buffer.alloc(VNET_HDR_LEN)): Uint8Array {
  if (out.length < VNET_HDR_LEN) throw new RangeError(`a virtio-net header needs ${VNET_HDR_LEN} bytes, got ${out.length}`);
  const f = [field(h.flags, 'flags', 0xff), field(h.gsoType, 'gsoType', 0xff), field(h.hdrLen, 'hdrLen', 0xffff),
    field(h.gsoSize, 'gsoSize', 0xffff), field(h.csumStart, 'csumStart', 0xffff), field(h.csumOffset, 'csumOffset', 0xffff),
    field(h.numBuffers, 'numBuffers', 0xffff)]; // all checked before anything is written
  const v = new DataView(out.buffer, out.byteOffset, VNET_HDR_LEN);
  v.setUint8(0, f[0]);
  v.setUint8(1, f[1]);
  for (let i = 2; i < 7; i++) v.setUint16(2 * (i - 1), f[i], true);
  return out;
}

function field(v: number | undefined, name: string, max: number): number {
  if (v === undefined) return 0;
  if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`virtio-net header field ${name} must be an integer 0..${max}, got ${String(v)}`);
  return v;
}
