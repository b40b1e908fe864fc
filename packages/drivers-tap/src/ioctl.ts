import { devfsError, FIOASYNC, FIOGETOWN, FIONBIO, FIONREAD, FIOSETOWN } from '@devfs/core';
import {
  AF_LINK, IFF_ATTACH_QUEUE, IFF_DETACH_QUEUE, SIOCSIFPHYADDR, TAPGIFNAME, TAPREADFRAMES, TAPWRITEFRAMES, TapPhysAddr,
  TUNGETVNETHDRSZ, TUNSETQUEUE,
} from './constants';
import { checkMac, parseMac } from './mac';
import { checkOwner } from './owner';

/** What the ioctls of a tap handle act on (one interface's state). */
export interface TapIoctlTarget {
  /** Interface name (TAPGIFNAME). */
  readonly name: string;
  /** Length of the next queued frame, 0 when none (FIONREAD). */
  nextFrameLength(): number;
  /** FIOASYNC: notify the owner on frame arrival. */
  async: boolean;
  /** FIOSETOWN/FIOGETOWN: this process's pid (> 0), its process group (< 0) or 0 for none. */
  owner: number;
  /** Sets the live hardware address (already validated). */
  setMac(addr: Buffer): void;
  /** TAPREADFRAMES: frames into bufs; their lengths. */
  readFrames(bufs: Buffer[], path: string): number[];
  /** TAPWRITEFRAMES: frames taken. */
  writeFrames(bufs: Buffer[], path: string): number;
  /** TUNSETQUEUE. */
  setQueue(attach: boolean, path: string): void;
  /** TUNGETVNETHDRSZ. */
  vnetHdrSize(path: string): number;
}

type Handler = (sc: TapIoctlTarget, arg: unknown, path: string) => unknown;

/** An int argument given as a number or as `{ value }` (how @devfs/core passes FIONBIO). */
function intArg(arg: unknown, path: string): number {
  const v = typeof arg === 'object' && arg !== null ? (arg as { value?: unknown }).value : arg;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw devfsError('EINVAL', 'ioctl', path, 'argument must be an integer');
  return v;
}

function setPhysAddr(sc: TapIoctlTarget, arg: unknown, path: string): number {
  const a = arg as Partial<TapPhysAddr> | null | undefined;
  if (!a || typeof a !== 'object') throw devfsError('EINVAL', 'ioctl', path, 'SIOCSIFPHYADDR needs { family, addr }');
  if (a.family !== AF_LINK) throw devfsError('EINVAL', 'ioctl', path, `SIOCSIFPHYADDR: address family ${String(a.family)} is not AF_LINK (${AF_LINK})`);
  const addr = typeof a.addr === 'string' ? parseMac(a.addr, 'ioctl', path) : checkMac(a.addr, 'ioctl', path);
  sc.setMac(addr);
  return 0;
}

function setQueue(sc: TapIoctlTarget, arg: unknown, path: string): number {
  const v = intArg(arg, path);
  if (v !== IFF_ATTACH_QUEUE && v !== IFF_DETACH_QUEUE) throw devfsError('EINVAL', 'ioctl', path, 'TUNSETQUEUE takes IFF_ATTACH_QUEUE or IFF_DETACH_QUEUE');
  sc.setQueue(v === IFF_ATTACH_QUEUE, path);
  return 0;
}

/**
 * The tap ioctls (NetBSD if_tap's set, Linux's queue/header ones, the batched reads/writes); every
 * other command is ENOTTY — and an error is an error.
 */
const TABLE = new Map<number, Handler>([
  [FIONREAD, (sc) => sc.nextFrameLength()],
  // The handle's own non-blocking flag is kept by DevFile (core); the driver only accepts it.
  [FIONBIO, (_sc, arg, path) => (intArg(arg, path), 0)],
  [FIOASYNC, (sc, arg, path) => { sc.async = intArg(arg, path) !== 0; return 0; }],
  [FIOSETOWN, (sc, arg, path) => { sc.owner = checkOwner(intArg(arg, path), path); return 0; }],
  [FIOGETOWN, (sc) => sc.owner],
  [TAPGIFNAME, (sc) => sc.name],
  [SIOCSIFPHYADDR, setPhysAddr],
  [TAPREADFRAMES, (sc, arg, path) => sc.readFrames(arg as Buffer[], path)],
  [TAPWRITEFRAMES, (sc, arg, path) => sc.writeFrames(arg as Buffer[], path)],
  [TUNSETQUEUE, setQueue],
  [TUNGETVNETHDRSZ, (sc, _arg, path) => sc.vnetHdrSize(path)],
]);

/** Runs one tap ioctl; unknown `cmd` → ENOTTY. */
export function tapIoctl(sc: TapIoctlTarget, cmd: number, arg: unknown, path: string): unknown {
  const h = TABLE.get(cmd);
  if (!h) throw devfsError('ENOTTY', 'ioctl', path, `tap has no ioctl 0x${(cmd >>> 0).toString(16)}`);
  return h(sc, arg, path);
}
