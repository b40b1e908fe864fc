import { native, FdPoller } from '@devfs/native';
import {
  arg, devfsError, toDevfsError, DevFile, SelInfo, selrecord, selwakeup, Cdev,
  POLLERR, POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM,
} from '@devfs/core';
import { MAX_QUEUE_FRAMES } from './options';
import { applyQueueFeatures, CheckedFeatures, maxFrameBytes, PLAIN } from './features';
import { ETHER_HDR_LEN } from './constants';
import { VNET_HDR_LEN } from './vnet';
import type { HostCall } from './netns';
import type { TapIoctlTarget } from './ioctl';
import { tapIoctl } from './ioctl';

const IFF_UP = 0x1;
/** Bytes the host-fd write queue may hold before writes report EAGAIN (and POLLOUT clears). */
const WRITE_QUEUE_BYTES = 4 * 1024 * 1024;
const WRITE_ROOM = 64 * 1024;
/** Read buffer of an interface with virtio-net headers: a 64 KiB GSO frame, its header, slack. */
const VNET_READ_SIZE = 65536 + 64;
/**
 * Frame buffers kept for reuse by an interface with virtio-net headers: enough 64 KiB GSO frames
 * for a TCP window in flight, so bursts do not free and fault in their buffers again.
 */
const VNET_POOL_BYTES = 8 * 1024 * 1024;
/** How often readFrames re-reads the link state of an up interface whose queue is empty. */
const LINK_RECHECK_MS = 100;
/** Most frames one readFrames call moves. */
const MAX_BATCH = 1024;

/** How a tap interface came to be ('queue': a further queue of a multi-queue interface). */
export type TapOrigin = 'clone' | 'create' | 'foreign' | 'queue';

/** What an interface needs from its driver. */
export interface TapHooks {
  /** Frames arrived while FIOASYNC is on (NOTIFY event, SIGIO to the owner). */
  notifyAsync(tif: TapInterface): void;
  /** The host interface vanished under an open handle (ip link del, fd error). */
  lost(tif: TapInterface): void;
  /** Runs a host call in the driver's network namespace (netns.ts). */
  host: HostCall;
}

/**
 * One host tap interface (the driver's softc): its name and unit, the attached /dev/net/tun fd
 * while a handle has it open, the frames waiting to be read, the SelInfo of its pollers, and the
 * FIOASYNC state. The same object serves the tapN node (d_*) and a cloned handle (fo_*).
 */
export class TapInterface implements TapIoctlTarget {
  /** tapN node (undefined for a foreign name that is not tapN, or after destroy). */
  dev: Cdev | undefined = undefined;
  /** Kernel ifindex of the incarnation this object manages (0 until known). */
  ifindex = 0;
  /** Unit N of tapN, or -1. */
  readonly unit: number;
  /** A handle has it open (second open → EBUSY). */
  inUse = false;
  /** Being destroyed (close must not destroy it again). */
  destroying = false;
  /** The host interface is gone: POLLERR, calls → ENXIO. */
  gone = false;
  async = false;
  owner = 0;
  /** Removes the sysctl node. */
  unpublish: (() => void) | undefined = undefined;
  private fd = -1;
  private poller: FdPoller | undefined = undefined;
  private readonly sel = new SelInfo();
  private up = false;
  private mtu = 1500;
  /** Further queues opened on a multi-queue interface (each its own handle). */
  private readonly queues = new Set<TapInterface>();
  private lens: Uint32Array | undefined = undefined;
  private linkCheckedAt = 0;
  /** The interface a further queue belongs to (origin 'queue'). */
  parent: TapInterface | undefined = undefined;
  /** False while this queue is detached (TUNSETQUEUE IFF_DETACH_QUEUE). */
  queueAttached = true;

  constructor(readonly name: string, readonly origin: TapOrigin, private readonly queueFrames: number, private readonly hooks: TapHooks,
    readonly features: CheckedFeatures = PLAIN) {
    arg.int(queueFrames, 'queueFrames', 'TapInterface', 1, MAX_QUEUE_FRAMES);
    const m = /^t(?:ap|un)(\d+)$/.exec(name);
    this.unit = m ? Number(m[1]) : -1;
  }

  /** True while a host fd is attached. */
  get attached(): boolean {
    return this.fd >= 0;
  }

  /**
   * Takes ownership of an fd attached to this interface (from tunOpen) and starts reading frames
   * into the poller's native frame queue (at most queueFrames; then the host kernel queues or
   * drops, as a real NIC would). The fd is closed by detach() (or by the poller on env teardown).
   */
  attach(fd: number): void {
    let poller: FdPoller;
    try {
      applyQueueFeatures(fd, this.features, this.name, 'open');
      poller = this.makePoller(fd);
    } catch (err) {
      native.fdClose(fd); // not the poller's yet: nobody else would close it
      throw toDevfsError(err, 'open', this.name);
    }
    this.fd = fd;
    this.gone = false;
    this.poller = poller;
    this.poller.startReading();
    this.refreshLink();
    this.refreshMtu();
  }

  /** The datagram poller that owns `fd` from here on. */
  private makePoller(fd: number): FdPoller {
    return new native.FdPoller(fd, {
      mode: 'datagram',
      ownsFd: true,
      maxQueuedBytes: WRITE_QUEUE_BYTES,
      queueFrames: this.queueFrames,
      readSize: this.features.vnetHdr ? VNET_READ_SIZE : undefined,
      framePoolBytes: this.features.vnetHdr ? VNET_POOL_BYTES : undefined,
      onFrames: () => this.received(),
      onEnd: () => this.ended(),
      onWritable: () => selwakeup(this.sel),
      onError: () => this.ended(),
    });
  }

  /**
   * Closes the host fd (a non-persistent interface disappears with it) and drops queued frames.
   * The close(2) itself runs on the thread pool (it takes the kernel ~20 ms when it removes the
   * interface); the promise settles once the fd is closed. Everything else happens at once.
   */
  detach(): Promise<void> {
    const p = this.poller;
    this.poller = undefined;
    this.fd = -1;
    this.inUse = false;
    this.lens = undefined;
    selwakeup(this.sel);
    if (!p || p.closed) return Promise.resolve();
    return new Promise((resolve) => p.close(resolve));
  }

  /** Marks the host interface gone and wakes every poller (they see POLLERR), queues included. */
  markGone(): void {
    this.gone = true;
    selwakeup(this.sel);
    for (const q of this.queues) q.markGone();
  }

  /** The further queues lose their interface (it is being destroyed): POLLERR, calls → ENXIO. */
  markQueuesGone(): void {
    for (const q of this.queues) {
      q.markGone();
      void q.detach();
    }
    this.queues.clear();
  }

  /**
   * A further queue of this multi-queue interface (IFF_MULTI_QUEUE): its own fd, frames and
   * pollers; closing it (closeQueue) takes only that queue away. EBUSY on a single-queue interface.
   */
  openQueue(): TapInterface {
    if (!this.features.multiQueue) throw devfsError('EBUSY', 'open', this.name, `${this.name} is already open (single queue)`);
    const q: TapInterface = new TapInterface(this.name, 'queue', this.queueFrames, {
      notifyAsync: (t) => this.hooks.notifyAsync(t),
      lost: (t) => t.markGone(),
      host: this.hooks.host,
    }, this.features);
    let fd: number;
    try {
      fd = this.host(() => native.tunOpen(this.name, false, { vnetHdr: this.features.vnetHdr, multiQueue: true, tun: this.features.tun }).fd);
    } catch (err) {
      throw toDevfsError(err, 'open', this.name);
    }
    q.attach(fd);
    q.inUse = true;
    q.parent = this;
    this.queues.add(q);
    return q;
  }

  /** Closes a queue from openQueue(). */
  closeQueue(q: TapInterface): Promise<void> {
    this.queues.delete(q);
    q.destroying = true;
    return q.detach();
  }

  /**
   * TUNSETQUEUE: attaches or detaches this handle's queue of a multi-queue interface. A detached
   * queue is not read (the kernel sends it nothing; its reads see EAGAIN) until attached again.
   */
  setQueue(attach: boolean, path: string): void {
    const p = this.live('ioctl', path);
    if (!this.features.multiQueue) throw devfsError('EINVAL', 'ioctl', path, `${this.name} is not a multi-queue interface`);
    try {
      if (!attach) p.stopReading();
      native.tunSetQueue(p.fd, attach);
    } catch (err) {
      if (this.queueAttached) p.startReading();
      throw toDevfsError(err, 'ioctl', path);
    }
    this.queueAttached = attach;
    if (attach) p.startReading();
  }

  /** TUNGETVNETHDRSZ of this handle's fd (EINVAL when the interface has no virtio-net header). */
  vnetHdrSize(path: string): number {
    const p = this.live('ioctl', path);
    if (!this.features.vnetHdr) throw devfsError('EINVAL', 'ioctl', path, `${this.name} was made without vnetHdr`);
    try {
      return native.tunGetVnetHdrSz(p.fd);
    } catch (err) {
      throw toDevfsError(err, 'ioctl', path);
    }
  }

  /** Link flags changed (IFF_UP/IFF_RUNNING, from the netlink watcher): wake blocked readers. */
  linkChanged(flags: number): void {
    this.up = (flags & IFF_UP) !== 0;
    if (this.up) this.refreshMtu();
    selwakeup(this.sel);
  }

  /**
   * One read = one frame, truncated to `buf` (copied straight from the native queue); the
   * interface down → EHOSTDOWN; empty → EAGAIN (core blocks unless non-blocking).
   */
  read(buf: Buffer, path: string): number {
    const p = this.live('read', path);
    if (this.up) {
      const n = p.readFrame(buf);
      if (n >= 0) return n;
    }
    // Empty queue or down: the link state may have changed since the last netlink event.
    this.refreshLink();
    if (!this.up) throw devfsError('EHOSTDOWN', 'read', path, `interface ${this.name} is down`);
    const n = p.readFrame(buf);
    if (n >= 0) return n;
    throw devfsError('EAGAIN', 'read', path);
  }

  /**
   * Many frames in one call: frame i into bufs[i] (truncated to it); returns their lengths —
   * none (an empty array, not EAGAIN: a bridge finds the queue empty after nearly every batch,
   * and an Error with its stack trace each time was a visible share of its CPU). Down →
   * EHOSTDOWN, like read().
   */
  readFrames(bufs: Buffer[], path: string): number[] {
    if (!Array.isArray(bufs) || bufs.length === 0 || bufs.length > MAX_BATCH) {
      throw devfsError('EINVAL', 'ioctl', path, `readFrames needs an array of 1..${MAX_BATCH} Buffers`);
    }
    const p = this.live('read', path);
    const lens = this.lens ?? (this.lens = new Uint32Array(MAX_BATCH));
    let n = this.up ? p.readFrames(bufs, lens) : 0;
    // Empty: re-read the link state (a netlink event may not have arrived yet) — at most every
    // LINK_RECHECK_MS while it is up: a bridge finds the queue empty after nearly every batch,
    // and each check is a socket, an ioctl and (with the netns option) two setns calls.
    const now = Date.now();
    if (n === 0 && (!this.up || now - this.linkCheckedAt >= LINK_RECHECK_MS)) {
      this.linkCheckedAt = now;
      this.refreshLink();
      if (!this.up) throw devfsError('EHOSTDOWN', 'read', path, `interface ${this.name} is down`);
      n = p.readFrames(bufs, lens);
    }
    return Array.from(lens.subarray(0, n));
  }

  /**
   * Many frames in one call (each as write() checks it, all before any is sent); returns how
   * many the write queue took — 0 when it is full (not EAGAIN, as for readFrames).
   */
  writeFrames(bufs: Buffer[], path: string): number {
    if (!Array.isArray(bufs) || bufs.length === 0 || bufs.length > MAX_BATCH) {
      throw devfsError('EINVAL', 'ioctl', path, `writeFrames needs an array of 1..${MAX_BATCH} Buffers`);
    }
    const p = this.live('write', path);
    for (const b of bufs) this.checkSize(b, path);
    try {
      return p.writeFrames(bufs);
    } catch (err) {
      const e = toDevfsError(err, 'write', path);
      if (e.code === 'ENOBUFS') return 0;
      throw e;
    }
  }

  /** A frame larger than the interface takes (MTU + 14, or a GSO frame with the header) → EMSGSIZE. */
  private checkSize(buf: Buffer, path: string): void {
    if (!Buffer.isBuffer(buf)) throw devfsError('EINVAL', 'write', path, 'a frame must be a Buffer');
    const min = (this.features.vnetHdr ? VNET_HDR_LEN : 0) + (this.features.tun ? 1 : ETHER_HDR_LEN);
    if (buf.length < min && this.features.tun) throw devfsError('EINVAL', 'write', path, 'an empty packet: a tun write is one IP packet');
    if (buf.length < min) {
      throw devfsError('EINVAL', 'write', path, `frame of ${buf.length} bytes is shorter than ${min}: a frame starts with the ${ETHER_HDR_LEN}-byte Ethernet header (destination MAC, source MAC, EtherType)${this.features.vnetHdr ? ` after the ${VNET_HDR_LEN}-byte virtio-net header` : ''}`);
    }
    if (buf.length <= maxFrameBytes(this.features, this.mtu)) return;
    this.refreshMtu();
    const max = maxFrameBytes(this.features, this.mtu);
    if (buf.length > max) throw devfsError('EMSGSIZE', 'write', path, `frame of ${buf.length} bytes exceeds ${max} (MTU ${this.mtu} + 14${this.features.vnetHdr ? ', or a 64 KiB GSO frame with its header' : ''})`);
  }

  /** One write = one frame; larger than MTU + 14 → EMSGSIZE and nothing is sent. */
  write(buf: Buffer, path: string): number {
    const p = this.live('write', path);
    this.checkSize(buf, path);
    try {
      p.writeFrame(buf); // throws ENOBUFS, nothing written, when the write queue bound is reached
    } catch (err) {
      const e = toDevfsError(err, 'write', path);
      if (e.code === 'ENOBUFS') throw devfsError('EAGAIN', 'write', path);
      throw e;
    }
    return buf.length;
  }

  /** POLLIN when a frame waits, POLLOUT while the write queue has room, POLLERR once gone. */
  poll(events: number, file: DevFile): number {
    if (this.gone || !this.poller) return POLLERR;
    let revents = 0;
    if (events & (POLLIN | POLLRDNORM)) {
      if (this.poller.framesQueued > 0) revents |= events & (POLLIN | POLLRDNORM);
    }
    if (events & (POLLOUT | POLLWRNORM)) {
      if (this.poller && this.poller.queuedBytes + WRITE_ROOM <= WRITE_QUEUE_BYTES) revents |= events & (POLLOUT | POLLWRNORM);
    }
    if (revents === 0) selrecord(file, this.sel);
    return revents;
  }

  /** The tap ioctls (see ioctl.ts). */
  ioctl(cmd: number, arg: unknown, path: string): unknown {
    if (this.gone) throw devfsError('ENXIO', 'ioctl', path, `interface ${this.name} is gone`);
    return tapIoctl(this, cmd, arg, path);
  }

  /** Length of the next queued frame, 0 when none (FIONREAD). */
  nextFrameLength(): number {
    return this.poller ? this.poller.nextFrameLength() : 0;
  }

  /** Current hardware address of the host interface. */
  getMac(): Buffer {
    return this.host(() => native.ifGetHwaddr(this.name));
  }

  /** Link state read from the host now: IFF_UP and the MTU (`tap list`). */
  linkState(): { up: boolean; mtu: number } {
    this.refreshLink();
    this.refreshMtu();
    return { up: this.up, mtu: this.mtu };
  }

  /** Sets or clears IFF_UP on the host interface (`tap create --up`). */
  setUp(up: boolean): void {
    this.host(() => native.ifSetUp(this.name, up));
    this.up = up;
  }

  /** Sets the host interface's MTU (`tap create --mtu`; SIOCSIFMTU). */
  setMtu(mtu: number): void {
    this.host(() => native.ifSetMtu(this.name, mtu));
    this.mtu = mtu;
  }

  /** Sets the host interface's hardware address (callers validate first). */
  setMac(addr: Buffer): void {
    this.host(() => native.ifSetHwaddr(this.name, addr));
  }

  /** Runs a host call in the driver's network namespace. */
  host<T>(fn: () => T): T {
    return this.hooks.host(fn);
  }

  /** The host fd's poller while the interface is there; ENXIO once it is gone or detached. */
  private live(syscall: string, path: string): FdPoller {
    if (this.gone || !this.poller) throw devfsError('ENXIO', syscall, path, `interface ${this.name} is gone`);
    return this.poller;
  }

  private received(): void {
    selwakeup(this.sel);
    if (this.async) this.hooks.notifyAsync(this);
  }

  /** The host fd failed (EBADFD once the interface is deleted): the interface is lost. */
  private ended(): void {
    if (this.destroying || !this.poller) return;
    this.hooks.lost(this);
  }

  private refreshLink(): void {
    try {
      this.up = (this.host(() => native.ifGetFlags(this.name)) & IFF_UP) !== 0;
    } catch {
      this.up = false;
    }
  }

  private refreshMtu(): void {
    try {
      this.mtu = this.host(() => native.ifGetMtu(this.name));
    } catch {
      // the interface is going away; the next call reports it
    }
  }
}
