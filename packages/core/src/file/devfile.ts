import type { Cred } from '../cred';
import type { Cdev } from '../kernel/cdev';
import type { Fileops } from '../kernel/cdevsw';
import type { DevStat } from './stat';
import { arg as checkArg, badArg } from '../validate';
import { devfsError, toDevfsError } from '../errors';
import { startTimer } from '../timer';
import {
  D_DISK, D_TYPEMASK, FIODGNAME, FIODTYPE, FIONBIO, O_ACCMODE, O_NONBLOCK, O_RDONLY, O_WRONLY,
  POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, POLLRDNORM, POLLWRNORM,
} from '../constants';
import { callDriver, enterDev, leaveDev } from '../kernel/inflight';
import { fileReadable, fileWritable } from './streams';

/** What a DevFile needs from the kernel and mount that opened it. */
export interface FileContext {
  /** Mount name (events) and mount-relative path (errors). */
  mount?: string;
  path: string;
  /** Per-mount stat of the device, for `stat()`. */
  stat(): DevStat;
  /** Called once when the handle closes (last-close bookkeeping, events). */
  closed(file: DevFile): Promise<void>;
}

import { CdevPriv, OpenState, runCdevPriv } from './cdevpriv';

const ALWAYS_READY = POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
const ALWAYS_REPORTED = POLLERR | POLLHUP | POLLNVAL;

/**
 * An open device (promise-based like fs.promises.FileHandle). Calls go to the driver's cdevsw, or
 * to the Fileops installed by `fdclone`. A driver that has nothing to read/write right now throws
 * EAGAIN; a blocking handle then waits for poll readiness (selrecord/selwakeup) and retries, an
 * O_NONBLOCK handle gets the EAGAIN. After destroy_dev every call gets ENXIO.
 */
export class DevFile {
  /** Open flags (fs.constants values). */
  readonly flags: number;
  /** The device; undefined for fdclone'd handles (they have no node of their own). */
  dev: Cdev | undefined;
  /** Credential of the opener. */
  readonly cred: Cred;
  /** File position (used for seekable D_DISK devices). */
  position = 0;
  /** @internal what this open owns (cdevpriv, fdclone ops/data), shared with the leak finalizer. */
  readonly state: OpenState;
  /** @internal */ cloneAllowed = false;
  /** @internal the wake function of the poll currently calling d_poll (read by selrecord). */
  currentPollWake: (() => void) | undefined = undefined;
  /** Owner for FIOASYNC notifications (FIOSETOWN). */
  owner = 0;
  private nonblock: boolean;
  private closing: Promise<void> | undefined = undefined;
  private readonly waits = new Set<() => void>();
  /** @internal */ readonly ctx: FileContext;

  constructor(dev: Cdev | undefined, flags: number, cred: Cred, ctx: FileContext, state?: OpenState) {
    this.dev = dev;
    this.state = state ?? { priv: undefined, ops: undefined, data: undefined };
    this.flags = flags;
    this.cred = cred;
    this.ctx = ctx;
    this.nonblock = (flags & O_NONBLOCK) !== 0;
  }

  /** fdclone data. */
  get data(): unknown { return this.state.data; }
  set data(v: unknown) { this.state.data = v; }
  /** @internal fdclone operations. */
  get ops(): Fileops | undefined { return this.state.ops; }
  set ops(v: Fileops | undefined) { this.state.ops = v; }
  /** @internal per-open private data (devfs_set_cdevpriv). */
  get priv(): CdevPriv | undefined { return this.state.priv; }
  set priv(v: CdevPriv | undefined) {
    this.state.priv = v;
    if (v && this.dev) (this.dev.x().privs ??= new Set()).add(v);
  }

  /** True once close() was called. */
  get closed(): boolean {
    return this.closing !== undefined;
  }

  /** True while the handle is non-blocking (O_NONBLOCK or FIONBIO). */
  get nonBlocking(): boolean {
    return this.nonblock;
  }

  /** Mount-relative path the handle was opened by. */
  get path(): string {
    return this.ctx.path;
  }

  /** Reads into `buf`; resolves with the byte count (0 = end of file). */
  read(buf: Buffer, position?: number | null): Promise<number> {
    return this.transfer('read', buf, position);
  }

  /** Writes `buf`; resolves with the byte count the driver accepted. */
  write(buf: Buffer, position?: number | null): Promise<number> {
    return this.transfer('write', buf, position);
  }

  /** Device control. FIONBIO, FIODTYPE and FIODGNAME are handled here; unknown commands → ENOTTY. */
  async ioctl(cmd: number, arg?: unknown): Promise<unknown> {
    checkArg.int(cmd, 'ioctl command', 'ioctl', -0x80000000, 0xffffffff, this.ctx.path);
    this.check('ioctl', true);
    const dev = this.dev;
    if (cmd === FIONBIO) {
      const on = typeof arg === 'object' && arg !== null ? !!(arg as { value?: unknown }).value : !!arg;
      this.nonblock = on;
      try {
        await this.driverIoctl(cmd, on);
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code !== 'ENOTTY' && code !== 'ENODEV') throw err;
      }
      return 0;
    }
    if (dev && cmd === FIODTYPE) return (dev.si_devsw.d_flags ?? 0) & D_TYPEMASK;
    if (dev && cmd === FIODGNAME) return dev.si_name;
    return this.driverIoctl(cmd, arg);
  }

  /**
   * Resolves with the ready bits among `events` (POLLERR/POLLHUP/POLLNVAL always reported), waiting
   * until one is ready. With `timeoutMs` it resolves with 0 when nothing became ready in time
   * (any length: beyond setTimeout's 2^31-1 ms the wait is chained); a negative or infinite
   * timeout waits without limit, NaN or a non-number is EINVAL.
   */
  async poll(events: number, timeoutMs?: number): Promise<number> {
    checkArg.int(events, 'events', 'poll', 0, 0x7fffffff, this.ctx.path);
    if (timeoutMs !== undefined && (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs))) {
      throw badArg('timeout', 'a number of milliseconds', timeoutMs, 'poll', this.ctx.path);
    }
    let timer: (() => void) | undefined;
    let timedOut = false;
    let wakeTimer: (() => void) | undefined;
    if (timeoutMs !== undefined && timeoutMs >= 0 && timeoutMs !== Infinity) {
      timer = startTimer(timeoutMs, () => { timedOut = true; wakeTimer?.(); });
    }
    try {
      for (;;) {
        let wake!: () => void;
        const woken = new Promise<void>((r) => (wake = r));
        this.waits.add(wake);
        const devWaits = this.dev ? (this.dev.x().waits ??= new Set()) : undefined;
        devWaits?.add(wake);
        wakeTimer = wake;
        let revents: number;
        try {
          revents = this.pollNow(events, wake);
        } catch (err) {
          this.waits.delete(wake);
          devWaits?.delete(wake);
          throw err;
        }
        if (revents !== 0 || timedOut) {
          this.waits.delete(wake);
          devWaits?.delete(wake);
          return revents;
        }
        await woken;
        this.waits.delete(wake);
        devWaits?.delete(wake);
      }
    } finally {
      timer?.();
    }
  }

  /** stat of the device as the opening mount shows it (fdclone'd handles may override). */
  stat(): DevStat {
    const base = this.ctx.stat();
    const over = this.ops?.fo_stat?.(this);
    return over ? Object.assign(base, over) : base;
  }

  /** Closes the handle (D_TRACKCLOSE decides whether d_close runs now or on the last close). */
  close(): Promise<void> {
    if (this.closing) return Promise.reject(devfsError('EBADF', 'close', this.ctx.path, 'handle already closed'));
    this.wakeAll();
    this.closing = this.ctx.closed(this);
    return this.closing;
  }

  /** A Readable that reads through this handle with backpressure. */
  readableStream(opts?: { chunkSize?: number; end?: number }): NodeJS.ReadableStream {
    if (opts !== undefined) {
      checkArg.object(opts, 'stream options', 'readableStream', this.ctx.path);
      checkArg.optInt(opts.chunkSize, 'chunkSize', 'readableStream', 1, 0x40000000, 0, this.ctx.path);
      checkArg.optInt(opts.end, 'end', 'readableStream', 0, Number.MAX_SAFE_INTEGER, 0, this.ctx.path);
    }
    return fileReadable(this, opts);
  }

  /** A Writable that writes through this handle with backpressure. */
  writableStream(): NodeJS.WritableStream {
    return fileWritable(this);
  }

  /** @internal wakes every pending poll/blocked call (destroy, close). */
  wakeAll(): void {
    for (const w of [...this.waits]) w();
  }

  /** @internal runs the cdevpriv destructor exactly once. */
  runPrivDtor(): void {
    const p = this.priv;
    if (p) this.dev?.ext?.privs?.delete(p);
    runCdevPriv(p, this.ctx.path);
  }

  private pollNow(events: number, wake: () => void): number {
    if (this.closing) return POLLNVAL;
    const dev = this.dev;
    if (dev && dev.dying) return (POLLNVAL | POLLERR) & (events | ALWAYS_REPORTED);
    this.currentPollWake = wake;
    try {
      let r: number;
      if (this.ops) r = this.ops.fo_poll ? this.ops.fo_poll(this, events) : events & ALWAYS_READY;
      else r = dev!.si_devsw.d_poll ? dev!.si_devsw.d_poll(dev!, events, this) : events & ALWAYS_READY;
      return r & (events | ALWAYS_REPORTED);
    } finally {
      this.currentPollWake = undefined;
    }
  }

  /**
   * One read or write. A driver answering synchronously (the common case: data queued, or EAGAIN)
   * costs one resolved promise; EAGAIN on a blocking handle waits for poll readiness and retries.
   * The position advances only when it was implicit.
   */
  private transfer(kind: 'read' | 'write', buf: Buffer, position: number | null | undefined): Promise<number> {
    let pos: number | null;
    try {
      const acc = this.flags & O_ACCMODE;
      checkArg.bytes(buf, 'buffer', kind, this.ctx.path);
      this.check(kind, kind === 'read' ? acc !== O_WRONLY : acc !== O_RDONLY);
      pos = this.effectivePosition(position, kind);
    } catch (err) {
      return Promise.reject(err);
    }
    const implicit = pos !== null && (position === undefined || position === null);
    try {
      const r = this.ioNow(kind, buf, pos);
      if (typeof r === 'number') {
        if (implicit) this.position += r;
        return Promise.resolve(r);
      }
      return r.then((n) => {
        if (implicit) this.position += n;
        return n;
      }, (err) => this.retry(kind, buf, position, err));
    } catch (err) {
      return this.retry(kind, buf, position, err);
    }
  }

  private async retry(kind: 'read' | 'write', buf: Buffer, position: number | null | undefined, err: unknown): Promise<number> {
    await this.blockOrThrow(err, kind === 'read' ? POLLIN : POLLOUT, kind);
    return this.transfer(kind, buf, position);
  }

  /** Calls the driver's read/write, keeping it in flight (destroy_dev waits) until it settles. */
  private ioNow(kind: 'read' | 'write', buf: Buffer, pos: number | null): number | Promise<number> {
    if (this.ops) {
      const op = kind === 'read' ? this.ops.fo_read : this.ops.fo_write;
      if (!op) throw devfsError('ENODEV', kind, this.ctx.path);
      return op.call(this.ops, this, buf, pos);
    }
    const dev = this.dev!;
    const sw = dev.si_devsw;
    const m = kind === 'read' ? sw.d_read : sw.d_write;
    if (!m) throw devfsError('ENODEV', kind, this.ctx.path, `${sw.d_name} has no d_${kind}`);
    enterDev(dev, kind);
    let r: number | Promise<number>;
    try {
      r = m.call(sw, dev, buf, pos, this);
    } catch (err) {
      leaveDev(dev);
      throw err;
    }
    if (typeof r === 'number') {
      leaveDev(dev);
      return r;
    }
    return Promise.resolve(r).finally(() => leaveDev(dev));
  }

  private check(syscall: string, allowed: boolean): void {
    if (this.closing) throw devfsError('EBADF', syscall, this.ctx.path, 'handle is closed');
    if (!allowed) throw devfsError('EBADF', syscall, this.ctx.path, `handle not open for ${syscall === 'read' ? 'reading' : 'writing'}`);
    if (this.dev && this.dev.dying) throw devfsError('ENXIO', syscall, this.ctx.path, 'device was destroyed');
  }

  private effectivePosition(position: number | null | undefined, syscall: string): number | null {
    if (position !== undefined && position !== null) {
      if (!Number.isSafeInteger(position) || position < 0) throw badArg('position', `an integer 0..${Number.MAX_SAFE_INTEGER}`, position, syscall, this.ctx.path);
      return position;
    }
    const seekable = this.dev ? ((this.dev.si_devsw.d_flags ?? 0) & D_DISK) !== 0 : false;
    return seekable ? this.position : null;
  }

  private driverIoctl(cmd: number, arg: unknown): Promise<unknown> {
    if (this.ops) {
      const op = this.ops.fo_ioctl;
      if (!op) return Promise.reject(devfsError('ENOTTY', 'ioctl', this.ctx.path));
      return callDriver(undefined, 'ioctl', () => op.call(this.ops, this, cmd, arg)).catch(this.ioctlError);
    }
    const dev = this.dev!;
    const sw = dev.si_devsw;
    if (!sw.d_ioctl) return Promise.reject(devfsError('ENOTTY', 'ioctl', this.ctx.path, `${sw.d_name} has no ioctls`));
    return callDriver(dev, 'ioctl', () => sw.d_ioctl!(dev, cmd, arg, this)).catch(this.ioctlError);
  }

  /** Converts what a driver's ioctl threw (fo_ioctl or d_ioctl) into a DevfsError. */
  private readonly ioctlError = (err: unknown): never => {
    throw toDevfsError(err, 'ioctl', this.ctx.path);
  };

  private async blockOrThrow(err: unknown, events: number, syscall: string): Promise<void> {
    const e = toDevfsError(err, syscall, this.ctx.path);
    if (e.code !== 'EAGAIN' || this.nonblock) throw e;
    const r = await this.poll(events);
    if (r & POLLNVAL) {
      throw devfsError(this.closing ? 'EBADF' : 'ENXIO', syscall, this.ctx.path,
        this.closing ? 'handle closed while waiting' : 'device was destroyed');
    }
  }
}
