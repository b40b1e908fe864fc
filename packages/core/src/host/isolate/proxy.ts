/**
 * The daemon-side stand-ins of an isolated driver's methods: a proxy cdevsw per (d_name, d_flags)
 * for the devices the worker made, and the fileops of a handle the worker fdclone'd. Each call is
 * forwarded to the worker's handle and answered asynchronously; d_poll, which must answer at
 * once, reports the readiness the worker last reported and otherwise records the poller and asks
 * the worker to wait (its answer is the selwakeup).
 */
import type { Kernel } from '../../devfs';
import type { Cdev } from '../../kernel/cdev';
import type { Cdevsw, Fileops } from '../../kernel/cdevsw';
import type { DevFile } from '../../file/devfile';
import type { DevStat } from '../../file/stat';
import { SelInfo, selrecord, selwakeup } from '../../file/select';
import { POLLERR, POLLNVAL } from '../../constants';
import { devfsError } from '../../errors';
import type { Request } from './protocol';
import { OP_READ, OP_WRITE } from './fastio';
import { native } from '@devfs/native';

/** Transfers up to this size go through the handle's shared memory (one copy each way, no allocation). */
const SHM_MAX = 1 << 20;
const SHM_MIN = 4096;

/** What the proxies need from the worker link. */
export interface CallTarget {
  /** Sends a request; `ino` ties it to a device (d_purge fails it), `timed` subjects it to callTimeoutMs. */
  call(req: Request, ino: number, timed?: boolean, transfer?: ArrayBuffer[]): Promise<{ v?: unknown; data?: ArrayBuffer }>;
  /**
   * A read/write in handle `h`'s shared memory through the data path (fastio.ts): the byte count
   * when it was answered at once, else a promise of it; undefined when that path is full (use `call`).
   */
  callIo(op: number, h: number, len: number, pos: number | null, ino: number): number | Promise<number> | undefined;
  /** Fails the calls in flight on inode `ino` with ENXIO (d_purge). */
  purge(ino: number): void;
  /** Keeps track of open handles (woken and failed when the worker dies). */
  handles: Set<RemoteHandle>;
}

/** A handle the worker holds for one daemon-side open. */
export class RemoteHandle {
  /** Ready bits the worker reported and no poll consumed yet. */
  ready = 0;
  /** Events a worker-side poll is waiting for. */
  polling = 0;
  /** Set when the handle closed or its worker died. */
  dead = false;
  readonly sel = new SelInfo();
  /**
   * The handle's shared memory: a native region (memory both threads map as an ordinary
   * ArrayBuffer, so copies are memmove — a SharedArrayBuffer's are ~4× slower) and its key.
   */
  private shm: number | undefined;
  /** `shm` as a Buffer (copies in and out with Buffer#copy: no view per call). */
  private shmBuf: Buffer | undefined;
  private shmBusy = false;
  private shmSent: number | undefined;

  constructor(readonly link: CallTarget, readonly h: number, readonly ino: number, readonly stat?: Partial<DevStat>) {
    link.handles.add(this);
  }

  /** Wakes every poller and fails later calls (the worker died or the handle closed). */
  kill(): void {
    this.dead = true;
    this.link.handles.delete(this);
    selwakeup(this.sel);
  }

  /** Closes the worker's handle (once). */
  close(): Promise<void> {
    if (this.dead) return Promise.resolve();
    this.kill();
    return this.link.call({ op: 'close', h: this.h }, this.ino).then(() => undefined, () => undefined);
  }

  /**
   * Forwards a read. The driver reads straight into this handle's shared memory and the bytes are
   * copied once, into `buf` (before the memory is free for the next call); a read that overlaps
   * another on the handle, or is larger than SHM_MAX, gets them in a transferred ArrayBuffer
   * instead. The count itself when the worker answered at once (DevFile then settles without a
   * promise of the driver's), else a promise.
   */
  read(buf: Buffer, pos: number | null): number | Promise<number> {
    const shm = this.takeShm(buf.length);
    if (shm !== undefined) {
      const mem = this.shmBuf!;
      const copyOut = (n: number): number => {
        if (n > 0) mem.copy(buf, 0, 0, n);
        this.shmBusy = false;
        return n;
      };
      const r = this.shmIo(OP_READ, buf.length, pos, shm);
      return typeof r === 'number' ? copyOut(r) : r.then(copyOut, (err) => this.shmFailed(shm, err));
    }
    return this.io({ op: 'read', h: this.h, len: buf.length, pos }).then((r) => {
      const n = r.v as number;
      if (n > 0 && r.data) buf.set(new Uint8Array(r.data, 0, n));
      return n;
    });
  }

  /** Forwards a write: the bytes are copied once, into shared memory (or a transferred ArrayBuffer, as for read). */
  write(buf: Buffer, pos: number | null): number | Promise<number> {
    const shm = this.takeShm(buf.length);
    if (shm !== undefined) {
      buf.copy(this.shmBuf!);
      const done = (n: number): number => {
        this.shmBusy = false;
        return n;
      };
      const r = this.shmIo(OP_WRITE, buf.length, pos, shm);
      return typeof r === 'number' ? done(r) : r.then(done, (err) => this.shmFailed(shm, err));
    }
    const data = new ArrayBuffer(buf.length);
    new Uint8Array(data).set(buf);
    return this.io({ op: 'write', h: this.h, data, pos }, [data]).then((r) => r.v as number);
  }

  /** This handle's shared buffer for a transfer of `len` bytes, or undefined when it is busy or too small a gain. */
  private takeShm(len: number): number | undefined {
    if (this.shmBusy || len > SHM_MAX || len === 0) return undefined;
    if (this.shm === undefined || this.shmBuf!.length < len) {
      const r = native.shmCreate(Math.max(len, SHM_MIN));
      this.shm = r.key;
      this.shmBuf = Buffer.from(r.buffer);
    }
    this.shmBusy = true;
    return this.shm;
  }

  /** The shared memory as a request carries it: its key the first time, then `true` (the worker keeps its mapping per handle). */
  private shmToSend(shm: number): number | true {
    if (this.shmSent === shm) return true;
    this.shmSent = shm;
    return shm;
  }

  /**
   * A read/write of `len` bytes in `shm`: through the data path's ring once the worker holds
   * `shm` (else by message, which hands it over). The caller frees `shm` (shmBusy) once it is done
   * with the bytes; on failure `shmFailed` drops it.
   */
  private shmIo(op: number, len: number, pos: number | null, shm: number): number | Promise<number> {
    const send = this.shmToSend(shm);
    const call = send === true && !this.dead ? this.link.callIo(op, this.h, len, pos, this.ino) : undefined;
    if (call === undefined) return this.io({ op: op === OP_READ ? 'read' : 'write', h: this.h, len, pos, shm: send }).then((r) => r.v as number);
    return typeof call === 'number' ? call : call.catch((err) => this.failed(err));
  }

  /** A call through `shm` failed: the memory is dropped, not reused (a late worker must not write into the next call's bytes). */
  private shmFailed(shm: number, err: unknown): never {
    if (this.shm === shm) this.shm = this.shmBuf = undefined;
    this.shmBusy = false;
    throw err;
  }

  /** Forwards an ioctl (its argument and result are structured-cloned; bytes come back as a Buffer). */
  async ioctl(cmd: number, arg: unknown): Promise<unknown> {
    const v = (await this.io({ op: 'ioctl', h: this.h, cmd, arg })).v;
    return v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v;
  }

  /** d_poll/fo_poll: the reported readiness, else record `file` and have the worker wait. */
  poll(events: number, file: DevFile): number {
    if (this.dead) return POLLNVAL | POLLERR;
    const r = this.ready & events;
    if (r !== 0) {
      this.ready &= ~r;
      return r;
    }
    selrecord(file, this.sel);
    const want = events & ~this.polling;
    if (want !== 0) {
      this.polling |= want;
      this.link.call({ op: 'poll', h: this.h, events: want }, this.ino, false).then(
        (res) => { this.ready |= res.v as number; },
        () => { this.ready |= POLLERR; },
      ).finally(() => {
        this.polling &= ~want;
        selwakeup(this.sel);
      });
    }
    return 0;
  }

  private io(req: Request, transfer?: ArrayBuffer[]): Promise<{ v?: unknown; data?: ArrayBuffer }> {
    if (this.dead) return Promise.reject(devfsError('ENXIO', req.op, undefined, 'the isolated driver is gone'));
    return this.link.call(req, this.ino, true, transfer).catch((err) => this.failed(err));
  }

  /** A forwarded call failed: EAGAIN means the readiness reported earlier is used up. */
  private failed(err: unknown): never {
    if ((err as { code?: string }).code === 'EAGAIN') this.ready = 0;
    throw err;
  }
}

/** The worker's answer to an open: its handle, whether it fdclone'd, and the clone's fo_stat. */
interface Opened { h: number; cloned: boolean; stat?: Partial<DevStat> }

/** The fileops of a daemon-side handle whose worker-side open was fdclone'd. */
function remoteFileops(rh: RemoteHandle): Fileops {
  return {
    fo_read: (_f, buf, pos) => rh.read(buf, pos),
    fo_write: (_f, buf, pos) => rh.write(buf, pos),
    fo_ioctl: (_f, cmd, arg) => rh.ioctl(cmd, arg),
    fo_poll: (f, events) => rh.poll(events, f),
    fo_stat: () => rh.stat ?? {},
    fo_close: () => rh.close(),
  };
}

/** A proxy cdevsw for the worker's devices with this d_name and d_flags. */
export function proxyCdevsw(kernel: Kernel, link: CallTarget, d_name: string, d_flags: number): Cdevsw {
  const handle = (file: DevFile): RemoteHandle => kernel.devfs_get_cdevpriv(file) as RemoteHandle;
  return {
    d_name,
    d_flags,
    async d_open(dev: Cdev, flags: number, file: DevFile): Promise<void> {
      const o = (await link.call({ op: 'open', ino: dev.inode, gen: dev.gen, flags, cred: file.cred }, dev.inode)).v as Opened;
      // a clone's handle outlives the cloner node: its calls are not the node's (d_purge of the node leaves them alone)
      const rh = new RemoteHandle(link, o.h, o.cloned ? 0 : dev.inode, o.stat);
      if (o.cloned) kernel.fdclone(file, remoteFileops(rh), rh);
      else kernel.devfs_set_cdevpriv(file, rh, () => void rh.close());
    },
    d_read: (_dev, buf, pos, file) => handle(file).read(buf, pos),
    d_write: (_dev, buf, pos, file) => handle(file).write(buf, pos),
    d_ioctl: (_dev, cmd, arg, file) => handle(file).ioctl(cmd, arg),
    d_poll: (_dev, events, file) => handle(file).poll(events, file),
    d_purge: (dev) => link.purge(dev.inode),
  };
}
