/**
 * One incarnation of an isolated plugin: its worker_thread, the requests in flight to it, the
 * devices of its that the daemon's kernel adopted (the same inodes: the tap driver's
 * foreign-inode path, generalised), and the watchdog. When the worker exits, crashes, runs out
 * of memory or stops beating, `die` fails every call in flight, destroys its devices (destroy_dev
 * semantics: the names go at once, open handles get ENXIO, blocked calls wake) and reports why.
 */
import * as path from 'path';
import * as fs from 'fs';
import { Worker } from 'worker_threads';
import { native } from '@devfs/native';
import type { DevEventInput } from '../../events/types';
import type { Kernel } from '../../devfs';
import type { Cdev } from '../../kernel/cdev';
import { SI_ALIAS } from '../../kernel/cdev';
import type { Cdevsw } from '../../kernel/cdevsw';
import type { Cred } from '../../cred';
import { devfsError, DevfsError } from '../../errors';
import { proxyCdevsw, RemoteHandle, CallTarget } from './proxy';
import type { FromWorker, InoGen, MadeMsg, Request, WorkerEvent, WorkerInit } from './protocol';
import type { IsolationSettings } from './spec';
import { ioChannel, putRequest, spinFor, SpinPolicy, takeAnswers } from './fastio';
import { SysctlMirror } from './sysctl-mirror';
import { RemoteMissHooks } from './remote-miss';

/** Where the worker entry is: beside this file once built; from sources (ts-jest), the built copy. */
function workerEntry(): string {
  const here = path.join(__dirname, 'worker.js');
  if (fs.existsSync(here)) return here;
  return path.resolve(__dirname, '..', '..', '..', 'dist', 'host', 'isolate', 'worker.js');
}

/** How long a worker may take to load core before its first heartbeat (a slow, busy machine), at least. */
const STARTUP_MS = 10_000;

/** Tags of isolated workers: above the tap driver's, one per incarnation. */
let nextTag = 0x4000_0000;

interface Pending {
  resolve(r: { v?: unknown; data?: ArrayBuffer }): void;
  reject(e: Error): void;
  at: number;
  ino: number;
  timed: boolean;
  op: string;
}

/** What the worker reported once its plugin was loaded. */
export interface ReadyInfo {
  drivers: string[];
  failures: { driver?: string; code: string; message: string }[];
}

/** A running worker and everything the daemon's kernel holds for it. */
export class WorkerLink implements CallTarget {
  readonly handles = new Set<RemoteHandle>();
  /** Why it died, once it did. */
  dead: DevfsError | undefined;
  /** Resolves when the plugin is loaded (rejects when the worker dies first). */
  readonly ready: Promise<ReadyInfo>;
  readonly startedAt = Date.now();
  private readonly worker: Worker;
  private readonly tag = nextTag++;
  private readonly pending = new Map<number, Pending>();
  /** Opens that timed out here: if the worker still opens, its handle is closed at once. */
  private readonly lateOpens = new Set<number>();
  private nextId = 0;
  private readonly devs = new Map<number, Cdev>();
  private readonly sws = new Map<string, Cdevsw>();
  private readonly cloning = new Map<string, Promise<boolean>>();
  private readonly undo: (() => void)[] = [];
  private missHooked = false;
  /** The plugin's sysctl nodes (from the worker's snapshots) and its miss hooks. */
  private readonly sysctls: SysctlMirror;
  private readonly misses: RemoteMissHooks;
  private readonly beat: Int32Array;
  private lastBeat = 0;
  private lastBeatAt = Date.now();
  private crash: DevfsError | undefined;
  private readyCb!: [(r: ReadyInfo) => void, (e: Error) => void];
  private readonly timer: NodeJS.Timeout;
  /** The data path's rings (fastio.ts) and the barrier counts that order them with messages. */
  private readonly io = ioChannel();
  private sent = 0;
  private handled = 0;
  private readonly spin = new SpinPolicy();
  /** The data-path call `callIo` is waiting for awake (0: none), and its answer once it came. */
  private awaited = 0;
  private awaitedValue = 0;

  constructor(private readonly kernel: Kernel, private readonly s: IsolationSettings, private readonly label: string,
    file: string, options: Record<string, unknown>, paths: string[], private readonly onDeath: (link: WorkerLink, why: DevfsError) => void) {
    this.ready = new Promise((res, rej) => (this.readyCb = [res, rej]));
    this.ready.catch(() => undefined);
    const hb = new SharedArrayBuffer(4);
    this.beat = new Int32Array(hb);
    const beatMs = Math.max(10, Math.min(100, Math.floor(s.callTimeoutMs / 4)));
    const init: WorkerInit = { file, options, paths, tag: this.tag, heartbeat: hb, beatMs, io: this.io.sab };
    this.worker = new Worker(workerEntry(), {
      workerData: init,
      resourceLimits: { maxOldGenerationSizeMb: s.memoryMb, maxYoungGenerationSizeMb: Math.max(4, Math.min(32, s.memoryMb >> 3)) },
      stdout: false, stderr: false,
    });
    // its inodes are foreign here: the change log's CLEARs of them destroy the adopted devices
    this.undo.push(kernel.onForeign(this.tag, () => undefined));
    this.sysctls = new SysctlMirror(kernel.sysctl, this, label);
    this.misses = new RemoteMissHooks(kernel, this, label, s.callTimeoutMs);
    this.undo.push(() => this.sysctls.clear(), () => this.misses.clear());
    this.worker.on('message', (m: FromWorker) => this.onMessage(m));
    this.worker.on('error', (err) => {
      const code = (err as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'ENOMEM' : 'EIO';
      this.crash ??= devfsError(code, 'isolate', label, code === 'ENOMEM' ? `the worker exceeded its memory limit (${s.memoryMb} MiB)` : `the worker crashed: ${err.message}`);
    });
    this.worker.on('exit', (exitCode) => this.die(this.crash ?? devfsError('EIO', 'isolate', label, `the worker exited (code ${exitCode})`)));
    const tick = Math.max(10, Math.min(1000, Math.floor(s.callTimeoutMs / 4)));
    this.timer = setInterval(() => this.watch(), tick);
    this.timer.unref();
    this.pumpAnswers();
  }

  /** Sends a request and resolves with the worker's answer (a DevfsError when it failed or the worker is gone). */
  call(req: Request, ino: number, timed = true, transfer?: ArrayBuffer[]): Promise<{ v?: unknown; data?: ArrayBuffer }> {
    if (this.dead) return Promise.reject(devfsError('ENXIO', req.op, undefined, `the isolated driver is gone: ${this.dead.message}`));
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      try {
        this.worker.postMessage({ ...req, id }, transfer);
        this.sent = (this.sent + 1) | 0;
      } catch (err) {
        reject(devfsError('EINVAL', req.op, undefined, `cannot pass this to an isolated driver: ${(err as Error).message}`));
        return;
      }
      this.pending.set(id, { resolve, reject, at: Date.now(), ino, timed, op: req.op });
    });
  }

  /**
   * A read or write of `len` bytes in the handle's shared memory (the worker already holds it)
   * through the data path's ring: the byte count itself when the answer came while this call
   * waited awake (no promise, no pending entry), else a promise of it; undefined when the ring is
   * full (send it with `call`). Errors always come by message, so they always reject a promise.
   */
  callIo(op: number, h: number, len: number, pos: number | null, ino: number): number | Promise<number> | undefined {
    if (this.dead) return Promise.reject(devfsError('ENXIO', op === 1 ? 'read' : 'write', undefined, `the isolated driver is gone: ${this.dead.message}`));
    const id = this.nextId + 1;
    if (!putRequest(this.io, id, op, h, len, pos, this.sent)) return undefined;
    this.nextId = id;
    // the answer of a driver that answers at once is here in microseconds: wait for it awake
    if (this.spin.wanted()) {
      this.awaited = id;
      this.spin.result(spinFor(this.io.rep, this.takeAnswers, () => this.awaited === 0));
      if (this.awaited === 0) return this.awaitedValue;
      this.awaited = 0;
    }
    return new Promise<{ v?: unknown }>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, at: Date.now(), ino, timed: true, op: op === 1 ? 'read' : 'write' });
    }).then((r) => r.v as number);
  }

  /** Settles the data path's answers as they come (waits in the background while the link lives). */
  private readonly pumpAnswers = (): void => {
    if (this.dead) return;
    this.takeAnswers();
    this.io.rep.sleep(this.pumpAnswers);
  };

  private readonly takeAnswers = (): void => takeAnswers(this.io, this.handled, this.settle);

  private readonly settle = (id: number, value: number): void => {
    if (id === this.awaited) {
      this.awaited = 0;
      this.awaitedValue = value;
      return;
    }
    const p = this.pending.get(id);
    if (!p) return; // timed out or purged meanwhile
    this.pending.delete(id);
    p.resolve({ v: value });
  };

  /** d_purge: the calls in flight on `ino` fail with ENXIO (the device is being destroyed). */
  purge(ino: number): void {
    for (const [id, p] of this.pending) {
      if (p.ino !== ino) continue;
      this.pending.delete(id);
      if (p.op === 'open') this.lateOpens.add(id);
      p.reject(devfsError('ENXIO', p.op, undefined, 'device was destroyed'));
    }
  }

  /** Asks the plugin to detach, waits up to callTimeoutMs, then terminates the worker; resolves once it is gone. */
  async stop(): Promise<void> {
    if (!this.dead) {
      await Promise.race([this.call({ op: 'stop' }, 0).catch(() => undefined), new Promise((r) => setTimeout(r, this.s.callTimeoutMs).unref())]);
      this.crash ??= devfsError('ESHUTDOWN', 'isolate', this.label, 'stopped');
      await this.worker.terminate();
    }
  }

  /** Terminates the worker now for `why` (it has not answered; nothing is asked of it). */
  kill(why: DevfsError): void {
    if (this.dead) return;
    this.crash ??= why;
    void this.worker.terminate();
  }

  private watch(): void {
    const now = Date.now();
    const b = Atomics.load(this.beat, 0);
    if (b !== this.lastBeat) {
      this.lastBeat = b;
      this.lastBeatAt = now;
    } else if (now - this.lastBeatAt > (b === 0 ? Math.max(this.s.callTimeoutMs, STARTUP_MS) : this.s.callTimeoutMs)) {
      this.kill(devfsError('ETIMEDOUT', 'isolate', this.label, `the worker missed its heartbeat for ${now - this.lastBeatAt} ms (hung)`));
      return;
    }
    for (const [id, p] of this.pending) {
      if (!p.timed || now - p.at <= this.s.callTimeoutMs) continue;
      this.pending.delete(id);
      if (p.op === 'open') this.lateOpens.add(id);
      p.reject(devfsError('ETIMEDOUT', p.op, undefined, `the isolated driver did not answer within ${this.s.callTimeoutMs} ms`));
    }
  }

  private onMessage(m: FromWorker): void {
    // answers the worker put in the ring before posting this come first; those after it, after
    this.takeAnswers();
    this.onMessageInOrder(m);
    this.handled = (this.handled + 1) | 0;
    this.takeAnswers();
  }

  private onMessageInOrder(m: FromWorker): void {
    if ('id' in m) {
      const p = this.pending.get(m.id);
      if (!p) {
        // timed out or purged meanwhile; an open that succeeded after all is closed again
        if (this.lateOpens.delete(m.id) && m.ok) void this.call({ op: 'close', h: (m.v as { h: number }).h }, 0).catch(() => undefined);
        return;
      }
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m);
      else p.reject(devfsError(m.code, p.op, undefined, m.message));
      return;
    }
    if (!this.dead) this.onEvent(m);
  }

  private onEvent(m: WorkerEvent): void {
    switch (m.ev) {
      case 'made': return this.adopt(m);
      case 'gone': return this.gone();
      case 'depends': {
        const p = this.devAt(m.parent), c = this.devAt(m.child);
        if (p && c) try { this.kernel.dev_depends(p, c); } catch { /* one of them is already going */ }
        return;
      }
      case 'cloner': return this.addCloner(m.prefix);
      case 'event': return this.forwardEvent(m.e);
      case 'sysctl': case 'sysctlv': case 'sysctl-gone': return this.sysctls.on(m);
      case 'misshook': case 'misshook-gone': return this.misses.on(m);
      case 'ready': this.readyCb[0]({ drivers: m.drivers, failures: m.failures }); return;
    }
  }
  /** An event the plugin emitted, into the daemon's stream (which leaves out undefined fields; one that does not validate there is ignored). */
  private forwardEvent(e: DevEventInput): void {
    try {
      this.kernel.emit(e);
    } catch { /* the worker validated it; a message that still does not is dropped, never thrown here */ }
  }


  private devAt([ino, gen]: InoGen): Cdev | undefined {
    const d = this.devs.get(ino);
    return d && d.gen === gen && !d.dying ? d : undefined;
  }

  private proxy(dname: string, dflags: number): Cdevsw {
    const key = `${dflags}:${dname}`;
    let sw = this.sws.get(key);
    if (!sw) this.sws.set(key, (sw = proxyCdevsw(this.kernel, this, dname, dflags)));
    return sw;
  }

  /** make_dev in the worker: the daemon's kernel adopts the same inode under the same name (its name checks apply). */
  private adopt(m: MadeMsg): void {
    if (!native.inodeIsLive(m.ino, m.gen)) return; // already destroyed again
    const target = m.aliasOf ? this.devAt(m.aliasOf) : undefined;
    try {
      if (m.aliasOf && !target) throw devfsError('ENXIO', 'make_dev_alias', m.name, 'target device does not exist');
      const dev = this.kernel.make_dev_s({
        devsw: this.proxy(m.dname, m.dflags), unit: m.unit, uid: m.uid, gid: m.gid, mode: m.mode, cred: m.cred,
        adoptInode: { ino: m.ino, gen: m.gen, cloned: m.cloned },
      }, '%s', m.name);
      if (target) {
        dev.flags |= SI_ALIAS;
        dev.x().aliasOf = target;
        (target.x().aliases ??= new Set()).add(dev);
      }
      this.devs.set(m.ino, dev);
    } catch (err) {
      // refused here (a name the daemon already has): withdraw it from the worker too
      native.inodeClear(m.ino, m.gen);
      void this.call({ op: 'reject', ino: m.ino, gen: m.gen }, 0).catch(() => undefined);
      process.emitWarning(`devfs: isolated plugin ${this.label}: device '${m.name}' refused: ${(err as Error).message}`);
    }
  }

  /** destroy_dev in the worker: its CLEARs are in the change log; the kernel destroys the adopted devices now. */
  private gone(): void {
    this.kernel.syncForeign();
    for (const [ino, d] of this.devs) if (d.dying) this.devs.delete(ino);
  }

  /**
   * A worker clone handler for `prefix`: a lookup miss under it asks the worker (with the caller's
   * credential) and an open waits for that answer through a miss hook, then retries.
   */
  private addCloner(prefix: string): void {
    if (!this.missHooked) {
      this.missHooked = true;
      this.undo.push(this.kernel.onMiss((name) => this.cloning.get(name) ?? Promise.resolve(false)));
    }
    this.undo.push(this.kernel.onClone((name: string, cred: Cred) => {
      if (!this.dead && !this.cloning.has(name)) {
        const p = this.call({ op: 'clone', name, cred }, 0).then((r) => r.v === true, () => false);
        this.cloning.set(name, p);
        void p.finally(() => this.cloning.delete(name));
      }
      return undefined;
    }, { prefix }));
  }

  private die(why: DevfsError): void {
    if (this.dead) return;
    this.dead = why;
    clearInterval(this.timer);
    this.io.rep.ring(); // ends the answer pump's wait
    this.readyCb[1](why);
    for (const f of this.undo.splice(1)) f();
    // a call caught in a hang timed out; the others end with the device
    for (const p of this.pending.values()) {
      p.reject(devfsError(why.code === 'ETIMEDOUT' && p.timed ? 'ETIMEDOUT' : 'ENXIO', p.op, undefined, `the isolated driver is gone: ${why.message}`));
    }
    this.pending.clear();
    this.lateOpens.clear();
    for (const h of [...this.handles]) h.kill();
    for (const d of this.devs.values()) if (!d.dying) void this.kernel.destroy_dev(d).catch(() => undefined);
    this.devs.clear();
    // inodes it made that were not adopted yet: nobody else will clear them
    for (const [ino, gen] of pairs(native.inodeForeignList(this.tag))) native.inodeClear(ino, gen);
    this.kernel.syncForeign();
    this.undo.splice(0)[0]?.();
    this.onDeath(this, why);
  }
}

function* pairs(list: number[]): Generator<[number, number]> {
  for (let i = 0; i + 1 < list.length; i += 2) yield [list[i], list[i + 1]];
}
