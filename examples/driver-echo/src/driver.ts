import { devfsError, FIONREAD, MAKEDEV_CHECKNAME, MAKEDEV_REF } from '@devfs/core';
import type { Cdev, Cdevsw, DevfsDriver, DevFile, Fileops, Kernel } from '@devfs/core';
import { Loopback } from './loopback';

/** Options of the echo driver (the `echo` section of the host's options). */
export interface EchoOptions {
  /** Bytes one unit buffers before writers block (default 65536). */
  bufferSize?: number;
  /** Highest unit number (default 255). */
  maxUnit?: number;
}

/** The ioctls both kinds of handle share: FIONREAD; anything else is ENOTTY. */
function echoIoctl(lb: Loopback, cmd: number, path: string): number {
  if (cmd === FIONREAD) return lb.size;
  throw devfsError('ENOTTY', 'ioctl', path);
}

/** The cdevsw of `echoN`: every method forwards to the unit's Loopback in si_drv1. */
export const echosw: Cdevsw<Loopback> = {
  d_name: 'echo',
  d_read: (dev, buf) => dev.si_drv1.read(buf),
  d_write: (dev, buf) => dev.si_drv1.write(buf),
  d_poll: (dev, events, file) => dev.si_drv1.poll(events, file),
  d_ioctl: (dev, cmd) => echoIoctl(dev.si_drv1, cmd, dev.si_name),
  d_purge: (dev) => dev.si_drv1.wakeAll(),
};

/**
 * The `echo` driver. Two ways to get a unit, as FreeBSD and NetBSD do it:
 *  - open `echo`: its d_open makes a fresh `echoN` (lowest free N, owned by the opener) and
 *    turns this open into a handle on it with fdclone; the unit goes away on that handle's close;
 *  - look up `echoN`: the clone handler makes that unit on the spot; it stays until detach.
 */
export class EchoDriver implements DevfsDriver {
  readonly name = 'echo';
  private readonly units;
  private readonly bufferSize: number;
  private readonly maxUnit: number;
  private cloner: Cdev | undefined;
  private unclone: (() => void) | undefined;
  private readonly live = new Map<number, Cdev<Loopback>>();

  constructor(private readonly kernel: Kernel, options: EchoOptions = {}) {
    this.bufferSize = options.bufferSize ?? 65536;
    this.maxUnit = options.maxUnit ?? 255;
    if (!Number.isInteger(this.bufferSize) || this.bufferSize < 1) throw devfsError('EINVAL', 'echo.attach', 'bufferSize', 'bufferSize must be a positive integer');
    this.units = kernel.unitAllocator(this.maxUnit);
  }

  /** Creates the `echo` cloner node and the `echoN` lookup handler. */
  attach(): void {
    const clonesw: Cdevsw = { d_name: 'echo', d_open: (_dev, _flags, file) => this.cloneOpen(file) };
    this.cloner = this.kernel.make_dev(clonesw, 0, 0, 0, 0o666, 'echo');
    this.unclone = this.kernel.onClone((name, cred) => this.lookupClone(name, cred.uid), { prefix: 'echo' });
  }

  /** Removes the lookup handler and destroys every unit and the cloner node. */
  async detach(): Promise<void> {
    this.unclone?.();
    const devs = [...this.live.values()];
    if (this.cloner) devs.push(this.cloner);
    await Promise.all(devs.map((d) => this.kernel.destroy_dev(d).catch(() => undefined)));
    this.live.clear();
    this.cloner = undefined;
  }

  /** Makes unit `unit` (or the lowest free one) owned by `uid`. */
  private makeUnit(unit: number | undefined, uid: number): Cdev<Loopback> {
    const n = this.units.alloc(unit);
    try {
      const dev = this.kernel.make_dev_s(
        { devsw: echosw, unit: n, uid, gid: 0, mode: 0o600, drv1: new Loopback(`echo${n}`, this.bufferSize), flags: MAKEDEV_REF | MAKEDEV_CHECKNAME },
        'echo%d', n);
      this.live.set(n, dev);
      return dev;
    } catch (err) {
      this.units.free(n);
      throw err;
    }
  }

  private lookupClone(name: string, uid: number): Cdev<Loopback> | undefined {
    const m = /^echo(\d+)$/.exec(name);
    if (!m) return undefined;
    const n = Number(m[1]);
    if (n > this.maxUnit || String(n) !== m[1]) return undefined;
    return this.makeUnit(n, uid);
  }

  private cloneOpen(file: DevFile): void {
    const dev = this.makeUnit(undefined, file.cred.uid);
    const lb = dev.si_drv1;
    const ops: Fileops = {
      fo_read: (_f, buf) => lb.read(buf),
      fo_write: (_f, buf) => lb.write(buf),
      fo_poll: (f, events) => lb.poll(events, f),
      fo_ioctl: (_f, cmd) => echoIoctl(lb, cmd, dev.si_name),
      fo_stat: () => ({ ino: dev.inode, rdev: dev.rdev }),
      fo_close: () => this.release(dev),
    };
    this.kernel.fdclone(file, ops, dev);
  }

  private release(dev: Cdev<Loopback>): void {
    if (this.live.get(dev.unit) !== dev) return;
    this.live.delete(dev.unit);
    dev.si_drv1.wakeAll();
    this.kernel.destroy_dev_sched(dev, () => this.units.free(dev.unit));
  }
}
