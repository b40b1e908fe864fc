import { native, FdPoller } from '@devfs/native';
import {
  arg, devfsError, toDevfsError, DevFile, SelInfo, selrecord, selwakeup, Cdev,
  POLLERR, POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM,
} from '@devfs/core';
import { ETHER_HDR_LEN } from './constants';
import { MAX_QUEUE_FRAMES } from './options';
import type { TapIoctlTarget } from './ioctl';
import { tapIoctl } from './ioctl';

const IFF_UP = 0x1;
/** Bytes the host-fd write queue may hold before writes report EAGAIN (and POLLOUT clears). */
const WRITE_QUEUE_BYTES = 4 * 1024 * 1024;
const WRITE_ROOM = 64 * 1024;

/** How a tap interface came to be. */
export type TapOrigin = 'clone' | 'create' | 'foreign';

/** What an interface needs from its driver. */
export interface TapHooks {
  /** Frames arrived while FIOASYNC is on (NOTIFY event, SIGIO to the owner). */
  notifyAsync(tif: TapInterface): void;
  /** The host interface vanished under an open handle (ip link del, fd error). */
  lost(tif: TapInterface): void;
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

  constructor(readonly name: string, readonly origin: TapOrigin, private readonly queueFrames: number, private readonly hooks: TapHooks) {
    arg.int(queueFrames, 'queueFrames', 'TapInterface', 1, MAX_QUEUE_FRAMES);
    const m = /^tap(\d+)$/.exec(name);
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
      onFrames: () => this.received(),
      onEnd: () => this.ended(),
      onWritable: () => selwakeup(this.sel),
      onError: () => this.ended(),
    });
  }

  /** Closes the host fd (a non-persistent interface disappears with it) and drops queued frames. */
  detach(): void {
    const p = this.poller;
    this.poller = undefined;
    this.fd = -1;
    this.inUse = false;
    if (p && !p.closed) p.close();
    selwakeup(this.sel);
  }

  /** Marks the host interface gone and wakes every poller (they see POLLERR). */
  markGone(): void {
    this.gone = true;
    selwakeup(this.sel);
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

  /** One write = one frame; larger than MTU + 14 → EMSGSIZE and nothing is sent. */
  write(buf: Buffer, path: string): number {
    const p = this.live('write', path);
    if (buf.length > this.mtu + ETHER_HDR_LEN) {
      this.refreshMtu();
      if (buf.length > this.mtu + ETHER_HDR_LEN) {
        throw devfsError('EMSGSIZE', 'write', path, `frame of ${buf.length} bytes exceeds MTU ${this.mtu} + ${ETHER_HDR_LEN}`);
      }
    }
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
    return native.ifGetHwaddr(this.name);
  }

  /** Sets the host interface's hardware address (callers validate first). */
  setMac(addr: Buffer): void {
    native.ifSetHwaddr(this.name, addr);
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
      this.up = (native.ifGetFlags(this.name) & IFF_UP) !== 0;
    } catch {
      this.up = false;
    }
  }

  private refreshMtu(): void {
    try {
      this.mtu = native.ifGetMtu(this.name);
    } catch {
      // the interface is going away; the next call reports it
    }
  }
}
