import { native } from '@devfs/native';
import { arg, devfsError, toDevfsError, isErrno } from '@devfs/core';
import { VNET_HDR_LEN } from './vnet';

/** Offloads a reader may accept (TUNSETOFFLOAD's TUN_F_* bits). */
export const TAP_OFFLOADS = {
  csum: 0x01, tso4: 0x02, tso6: 0x04, tso_ecn: 0x08, ufo: 0x10, uso4: 0x20, uso6: 0x40,
} as const;
/** One offload name. TSO/UFO/USO need `csum`; TSO_ECN needs a TSO (the kernel's rules). */
export type TapOffload = keyof typeof TAP_OFFLOADS;

/**
 * How an interface is made (`create(options)`, or the driver option `clone` for cloner opens):
 * virtio-net headers, offloads, multi-queue, and the uid/gid allowed to attach to it.
 */
export interface TapFeatures {
  /** IFF_VNET_HDR: every read/write starts with a 12-byte virtio-net header (vnet.ts). */
  vnetHdr?: boolean;
  /** What the reader accepts (needs vnetHdr): e.g. ['csum', 'tso4', 'tso6']. */
  offloads?: TapOffload[];
  /** IFF_MULTI_QUEUE: each open of the tapN node is a queue of its own. */
  multiQueue?: boolean;
  /** TUNSETOWNER: this uid may attach to the interface without CAP_NET_ADMIN. */
  user?: number;
  /** TUNSETGROUP: members of this gid may attach to it. */
  group?: number;
  /** A layer-3 `tunN` interface (IFF_TUN): reads and writes are IP packets without an Ethernet header. */
  tun?: boolean;
}

/** TapFeatures checked, with defaults and the offload bits. */
export interface CheckedFeatures {
  vnetHdr: boolean;
  offloads: TapOffload[];
  offloadBits: number;
  multiQueue: boolean;
  user: number | undefined;
  group: number | undefined;
  tun: boolean;
}

/** No features: a plain single-queue tap. */
export const PLAIN: CheckedFeatures = { vnetHdr: false, offloads: [], offloadBits: 0, multiQueue: false, user: undefined, group: undefined, tun: false };

const MAX_ID = 0xfffffffe;

/** Checks features (EINVAL naming the bad field; offloads without vnetHdr are EINVAL too). */
export function checkFeatures(v: unknown, syscall: string): CheckedFeatures {
  const o = arg.optObject<TapFeatures>(v, 'options', syscall) ?? {};
  const vnetHdr = arg.optBool(o.vnetHdr, 'vnetHdr', syscall, false);
  const multiQueue = arg.optBool(o.multiQueue, 'multiQueue', syscall, false);
  const offloads = o.offloads ?? [];
  if (!Array.isArray(offloads)) throw devfsError('EINVAL', syscall, undefined, 'offloads must be an array of names');
  let bits = 0;
  for (const name of offloads) {
    const bit = typeof name === 'string' ? (TAP_OFFLOADS as Record<string, number>)[name] : undefined;
    if (bit === undefined) throw devfsError('EINVAL', syscall, undefined, `unknown offload '${String(name)}' (known: ${Object.keys(TAP_OFFLOADS).join(', ')})`);
    bits |= bit;
  }
  if (bits && !vnetHdr) throw devfsError('EINVAL', syscall, undefined, 'offloads need vnetHdr: true (the header carries the offload metadata)');
  const user = o.user === undefined ? undefined : arg.int(o.user, 'user', syscall, 0, MAX_ID);
  const group = o.group === undefined ? undefined : arg.int(o.group, 'group', syscall, 0, MAX_ID);
  const tun = arg.optBool(o.tun, 'tun', syscall, false);
  return { vnetHdr, offloads: [...offloads], offloadBits: bits, multiQueue, user, group, tun };
}

/**
 * Applies the per-fd settings to a freshly attached fd: header size 12 and the offloads (the
 * kernel resets both on every attach). An offload this kernel lacks → EINVAL naming them.
 */
export function applyQueueFeatures(fd: number, f: CheckedFeatures, name: string, syscall: string): void {
  if (!f.vnetHdr) return;
  try {
    native.tunSetVnetHdrSz(fd, VNET_HDR_LEN);
  } catch (err) {
    throw toDevfsError(err, syscall, name);
  }
  setOffloads(fd, f, name, syscall);
}

/** TUNSETOFFLOAD with the features' offloads; a set the kernel refuses → EINVAL naming them. */
export function setOffloads(fd: number, f: CheckedFeatures, name: string, syscall: string): void {
  try {
    native.tunSetOffload(fd, f.offloadBits);
  } catch (err) {
    if (isErrno(err, 'EINVAL')) throw devfsError('EINVAL', syscall, name, `offloads [${f.offloads.join(', ')}] not supported by this kernel (TUNSETOFFLOAD refused them)`);
    throw toDevfsError(err, syscall, name);
  }
}

/** Sets the interface's owner and group (persist across attaches). */
export function applyOwnership(fd: number, f: CheckedFeatures, name: string, syscall: string): void {
  try {
    if (f.user !== undefined) native.tunSetOwner(fd, f.user);
    if (f.group !== undefined) native.tunSetGroup(fd, f.group);
  } catch (err) {
    throw toDevfsError(err, syscall, name);
  }
}

/** Largest frame a write accepts: with the header and offloads a 64 KiB GSO super-frame. */
export function maxFrameBytes(f: CheckedFeatures, mtu: number): number {
  return f.vnetHdr ? VNET_HDR_LEN + 65535 + 18 : f.tun ? mtu : mtu + 14;
}
