import * as fs from 'fs';
import { performance } from 'perf_hooks';
import { StringDecoder } from 'string_decoder';
import { native } from '@devfs/native';
import type { FdPoller, ProcessWatcher, PtyReader } from '@devfs/native';
import { devfsError, toDevfsError } from '@devfs/core';
import type { Cred, DevfsError } from '@devfs/core';
import { grantHostSlave, openHostPty } from '../host-pty';
import { TIOCGPGRP } from '../constants';
import { Emitter, IEvent } from './events';
import { checkSize, PtySpawnOptions, signalNumber } from './options';
import { checkOptionTypes, childEnv } from './env';
import { signalKills } from './reap';
import { isStartFailure, spawnStartFailure, startFailureText } from './start-failure';

/**
 * How long `kill()` waits, sleeping on the child's pidfd, for a child that the signal kills by its
 * default action, so that it is reaped before `kill()` returns (as with node-pty, no zombie is seen
 * right after). Death by a default action takes microseconds; this bounds a child stuck in the
 * kernel (a stopped or uninterruptible one), which is then reaped when its exit is reported.
 */
const KILL_REAP_MS = 100;

/**
 * When the reading moves to a thread: a read of at least BULK_READ bytes (the line discipline
 * hands out 4 KiB a read while a program writes in bulk) followed by a gap of more than
 * BUSY_GAP_MS before the next — the loop was doing something else while output waited.
 */
const BULK_READ = 3072;
const BUSY_GAP_MS = 1;

/** Exit status as node-pty reports it: the exit code, or 0 and the signal number. */
export interface IPtyExit {
  exitCode: number;
  signal?: number;
  /**
   * The program could not be started (exec or chdir failed; see `throwOnSpawnError`): the coded
   * error (ENOENT, EACCES, ENOTDIR…). exitCode is then 1, as node-pty reports it.
   */
  error?: DevfsError;
}

/** node-pty's name for what onExit reports. */
export type IExitEvent = IPtyExit;

/** node-pty's IPty. `T` is string (an encoding is set, the default) or Buffer (`encoding: null`). */
export interface IPty<T extends string | Buffer = string> {
  readonly pid: number;
  readonly cols: number;
  readonly rows: number;
  /** Name of the terminal's foreground process (argv[0]), else the spawned file. */
  readonly process: string;
  handleFlowControl: boolean;
  readonly onData: IEvent<T>;
  readonly onExit: IEvent<IPtyExit>;
  resize(columns: number, rows: number): void;
  clear(): void;
  write(data: string | Buffer): void;
  kill(signal?: string): void;
  pause(): void;
  resume(): void;
}

/**
 * A process on a real pty. Output is read until EIO (nothing lost at exit): by the addon's uv_poll
 * reader on the loop, moved to a reader thread once the loop shows it is busy; input goes through
 * the poller's bounded queue waiting for POLLOUT. onExit fires once, after
 * the last onData, when both the child was reaped and the output ended.
 */
export class Pty<T extends string | Buffer = string> implements IPty<T> {
  readonly pid: number;
  /** While true, writes of exactly the pause/resume strings pause/resume the output (not sent). */
  handleFlowControl: boolean;
  /**
   * Where the slave is: the host path ('/dev/pts/7', as node-pty's `ptsName`), or the devfs name
   * ('pts/3') when spawned through a devfs driver.
   */
  readonly ptsName: string;
  private _cols: number;
  private _rows: number;
  private readonly file: string;
  private readonly flowPause: string;
  private readonly flowResume: string;
  private readonly masterFd: number;
  private readonly release: () => void;
  private readonly decoder: StringDecoder | undefined;
  private readonly dataEmitter = new Emitter<T>();
  private readonly exitEmitter = new Emitter<IPtyExit>();
  private readonly drainEmitter = new Emitter<void>();
  // Both are dropped as soon as they are done (the poller also when a driver revokes the pty), so
  // that an exited Pty holds nothing native; `poller` set means the master fd is still ours to use.
  private poller: FdPoller | undefined;
  // The output is read on the loop by the poller until the loop shows it is busy (a gap of more
  // than BUSY_GAP_MS in a bulk flow); from then on by a thread of its own (native PtyReader), so
  // that the kernel's pty path keeps moving while the loop does other work. One at a time: the
  // poller stops reading before the thread starts, so the order of the bytes is kept.
  private reader: PtyReader | undefined;
  private lastReadAt = 0;
  private lastReadBytes = 0;
  private watcher: ProcessWatcher | undefined;
  private readonly exitDrainMs: number;
  private outputEnded = false;
  private status: IPtyExit | undefined;
  private drainTimer: NodeJS.Timeout | undefined;
  private paused = false;
  private finished = false;
  private startError: DevfsError | undefined;

  /** See `spawn`: `file` omitted or empty runs `sh`, as node-pty. */
  constructor(file?: string, args?: string[] | string, opts: PtySpawnOptions = {}) {
    checkOptionTypes(opts);
    file = file || 'sh';
    args = args ?? [];
    if (typeof file !== 'string') throw devfsError('EINVAL', 'spawn', undefined, `file must be a string (not a ${typeof file})`);
    if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) throw devfsError('EINVAL', 'spawn', file, 'args must be an array of strings (a command line string is Windows-only in node-pty too)');
    const { cols, rows } = checkSize(opts.cols || 80, opts.rows || 24, 'spawn');
    const env = childEnv(opts, opts.cwd || process.cwd());
    this.file = file;
    this.handleFlowControl = opts.handleFlowControl ?? false;
    this.flowPause = opts.flowControlPause ?? '\x13';
    this.flowResume = opts.flowControlResume ?? '\x11';
    this._cols = cols;
    this._rows = rows;
    this.exitDrainMs = opts.exitDrainMs ?? 2000;
    this.decoder = opts.encoding === null ? undefined : new StringDecoder(opts.encoding ?? 'utf8');

    let hostPath: string;
    if (opts.driver) {
      const cred: Cred = opts.cred ?? { uid: opts.uid ?? process.getuid!(), gid: opts.gid ?? process.getgid!() };
      const h = opts.driver.allocatePty(cred, () => this.revoked());
      this.masterFd = h.fd;
      hostPath = h.hostPath;
      this.ptsName = h.name;
      this.release = () => h.release();
    } else {
      const p = openHostPty();
      this.masterFd = p.fd;
      hostPath = p.ptsPath;
      this.ptsName = p.ptsPath;
      this.release = () => native.fdClose(p.fd);
    }
    try {
      if (opts.uid !== undefined || opts.gid !== undefined) grantHostSlave(hostPath, opts.uid ?? process.getuid!());
      native.ptySetWinsize(this.masterFd, cols, rows);
      this.pid = this.start({ file, args, env, cwd: opts.cwd || undefined, ptsPath: hostPath, uid: opts.uid, gid: opts.gid }, opts.throwOnSpawnError);
    } catch (err) {
      this.release();
      throw toDevfsError(err, 'spawn', file);
    }
    try {
      this.watcher = new native.ProcessWatcher(this.pid, (exitCode, signal) => {
        this.watcher = undefined;
        this.exited({ exitCode, signal });
      });
      this.poller = new native.FdPoller(this.masterFd, {
        mode: 'stream',
        onData: (chunks) => this.loopRead(chunks),
        onEnd: () => this.outputDone(),
        onWritable: () => this.drainEmitter.fire(),
        onError: () => { /* input for a child that is gone: nowhere to deliver it */ },
      });
    } catch (err) {
      this.abandon();
      throw toDevfsError(err, 'spawn', file);
    }
    this.poller.startReading();
  }

  /** Output read on the loop; moves the reading to a thread once the loop turns out to be busy. */
  private loopRead(chunks: Buffer[]): void {
    const now = performance.now();
    const busy = this.lastReadBytes >= BULK_READ && now - this.lastReadAt > BUSY_GAP_MS;
    let bytes = 0;
    for (const c of chunks) bytes += c.length;
    this.lastReadAt = now;
    this.lastReadBytes = bytes;
    this.deliver(chunks);
    if (busy && this.poller && !this.reader && !this.outputEnded) this.readOnThread();
  }

  /** Hands the reading to a PtyReader thread (if one cannot be made, the loop keeps reading). */
  private readOnThread(): void {
    this.poller!.stopReading();
    try {
      this.reader = new native.PtyReader(this.masterFd, {
        onData: (chunks) => this.deliver(chunks),
        onEnd: () => this.outputDone(),
      });
    } catch {
      if (!this.paused) this.poller!.startReading();
      return;
    }
    if (this.paused) this.reader.pause();
  }

  /**
   * Starts the program. One that cannot be started (exec or chdir failed) is reported as node-pty
   * does — the reason printed on the terminal, exit code 1 — by a stand-in child, with the coded
   * error kept for onExit; unless `throwOnSpawnError`, or the stand-in cannot start either.
   */
  private start(o: Parameters<typeof native.ptySpawn>[0], throwOnSpawnError: boolean | undefined): number {
    try {
      return native.ptySpawn(o);
    } catch (err) {
      if (throwOnSpawnError || !isStartFailure(err)) throw err;
      const error = toDevfsError(err, 'spawn', o.file);
      let pid: number;
      try {
        pid = spawnStartFailure(o.ptsPath, startFailureText(error), o.uid, o.gid);
      } catch {
        throw error;
      }
      this.startError = error;
      return pid;
    }
  }

  /**
   * The reader or the exit watcher could not be made (EMFILE, ENOMEM): the program is killed — and
   * reaped by the watcher when there is one — and the pty released; nothing will be reported.
   */
  private abandon(): void {
    this.finished = true;
    this.poller?.close();
    this.poller = undefined;
    try {
      if (this.watcher) this.watcher.kill(9);
      else native.killProcess(this.pid, 9);
    } catch {
      // already gone
    }
    this.release();
  }

  get cols(): number {
    return this._cols;
  }

  get rows(): number {
    return this._rows;
  }

  get process(): string {
    if (!this.poller) return this.file;
    try {
      const pgrp = native.fdIoctlInt(this.masterFd, TIOCGPGRP);
      const argv0 = fs.readFileSync(`/proc/${pgrp}/cmdline`, 'utf8').split('\0')[0];
      return argv0 || this.file;
    } catch {
      return this.file;
    }
  }

  /**
   * The master fd (node-pty's `_fd`), for code that passes it to `tty.isatty` or an ioctl; -1 once
   * the pty is closed (the number may already be another file's). Do not close or read it: the
   * pty owns it.
   */
  get fd(): number {
    return this.poller ? this.masterFd : -1;
  }

  /** node-pty's private name for {@link fd}, kept for code that used it. */
  get _fd(): number {
    return this.fd;
  }

  get onData(): IEvent<T> {
    return this.dataEmitter.event;
  }

  get onExit(): IEvent<IPtyExit> {
    return this.exitEmitter.event;
  }

  /** Sets the window size (the child gets SIGWINCH). EINVAL for bad sizes, EBADF after the exit. */
  resize(columns: number, rows: number): void {
    const size = checkSize(columns, rows, 'resize');
    if (!this.poller) throw devfsError('EBADF', 'resize', this.ptsName, 'cannot resize a pty whose process has exited or that was closed');
    try {
      native.ptySetWinsize(this.masterFd, size.cols, size.rows);
    } catch (err) {
      throw toDevfsError(err, 'resize', this.ptsName);
    }
    this._cols = size.cols;
    this._rows = size.rows;
  }

  /** No-op on Unix (as in node-pty). */
  clear(): void {}

  /**
   * Queues input for the child (never blocks, never spins: the rest waits for POLLOUT). Ignored
   * after the exit was reported (as node-pty); EIO while the program runs on a pty its driver
   * revoked; ENOBUFS if 64 MiB are already waiting. With `handleFlowControl`, the pause/resume
   * strings pause/resume the output instead (as node-pty does).
   */
  write(data: string | Buffer): void {
    if (this.handleFlowControl && typeof data === 'string') {
      if (data === this.flowPause) { this.pause(); return; }
      if (data === this.flowResume) { this.resume(); return; }
    }
    if (!this.poller) {
      if (this.finished) return;
      throw devfsError('EIO', 'write', this.ptsName, 'the pty was closed under a running program');
    }
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    try {
      this.poller.write(buf);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'EIO' || code === 'EPIPE') return; // the child is exiting; onExit follows
      throw toDevfsError(err, 'write', this.ptsName);
    }
  }

  /**
   * Sends a signal (default SIGHUP) to the child; an unknown signal, or a child that has exited,
   * is ignored (as node-pty). When the signal kills the child by its default action, the child is
   * reaped before `kill()` returns (a bounded sleep on its pidfd, see KILL_REAP_MS) — no zombie
   * is left for a process count made right after; onExit still comes later, after the last data.
   */
  kill(signal?: string): void {
    const n = signalNumber(signal, 'SIGHUP');
    const watcher = this.watcher;
    if (n === undefined || !watcher) return;
    try {
      watcher.kill(n);
    } catch {
      return; // ESRCH: it is exiting, its exit is reported anyway
    }
    if (!signalKills(this.pid, n)) return;
    const status = watcher.reap(KILL_REAP_MS);
    if (!status) return;
    this.watcher = undefined;
    setImmediate(() => this.exited({ exitCode: status[0], signal: status[1] }));
  }

  /** Stops reading output (the child blocks once the pty's buffer is full). */
  pause(): void {
    this.paused = true;
    this.poller?.stopReading();
    this.reader?.pause();
    if (this.drainTimer) {
      clearTimeout(this.drainTimer);
      this.drainTimer = undefined;
    }
  }

  /** Resumes reading output. */
  resume(): void {
    this.paused = false;
    if (!this.poller) return;
    if (this.reader) this.reader.resume();
    else this.poller.startReading();
    if (this.status && !this.outputEnded) this.armDrainTimer();
  }

  /**
   * Fires when input that had to be queued (the child was not reading) has all been taken by the
   * child: with `queuedInput`, the signal for input backpressure (stop feeding above a high-water
   * mark, resume here). Not part of node-pty's IPty.
   */
  get onDrain(): IEvent<void> {
    return this.drainEmitter.event;
  }

  /** Bytes of input waiting for the child to read them. */
  get queuedInput(): number {
    return this.poller?.queuedBytes ?? 0;
  }

  private deliver(chunks: Buffer[]): void {
    if (this.decoder) {
      let s = '';
      for (const c of chunks) s += this.decoder.write(c);
      if (s.length > 0) this.dataEmitter.fire(s as T);
    } else {
      this.dataEmitter.fire((chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)) as T);
    }
  }

  private outputDone(): void {
    this.outputEnded = true;
    if (this.decoder) {
      const rest = this.decoder.end();
      if (rest.length > 0) this.dataEmitter.fire(rest as T);
    }
    if (this.status) this.finish();
  }

  private exited(status: IPtyExit): void {
    if (this.finished) return;
    this.status = this.startError ? { ...status, error: this.startError } : status;
    if (this.outputEnded) this.finish();
    else if (!this.paused) this.armDrainTimer();
  }

  private armDrainTimer(): void {
    if (this.drainTimer || this.exitDrainMs < 0) return;
    // Something else (a process the child left behind) still holds the slave: read what is there,
    // then close the pty anyway so that onExit is not held back forever.
    this.drainTimer = setTimeout(() => {
      this.drainTimer = undefined;
      if (!this.poller || this.outputEnded) return;
      const chunks: Buffer[] = [];
      const rest = this.stopReader();
      if (rest) chunks.push(rest);
      for (;;) {
        const buf = Buffer.allocUnsafe(65536);
        let n: number;
        try {
          n = native.fdRead(this.masterFd, buf);
        } catch {
          break;
        }
        if (n <= 0) break;
        chunks.push(buf.subarray(0, n));
      }
      if (chunks.length) this.deliver(chunks);
      this.outputDone();
    }, this.exitDrainMs);
  }

  /** Stops and drops the reader (its thread joined); returns what it read and did not deliver. */
  private stopReader(): Buffer | undefined {
    const rest = this.reader?.close();
    this.reader = undefined;
    return rest;
  }

  /** The driver closes the pty under us (detach): stop using the fd now; onExit follows the exit. */
  private revoked(): void {
    if (!this.poller) return;
    const rest = this.stopReader();
    this.poller.close();
    this.poller = undefined;
    if (rest && !this.outputEnded) this.deliver([rest]);
    if (this.drainTimer) {
      clearTimeout(this.drainTimer);
      this.drainTimer = undefined;
    }
    if (!this.outputEnded) this.outputDone();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.drainTimer) clearTimeout(this.drainTimer);
    this.stopReader();
    this.poller?.close();
    this.poller = undefined;
    this.release();
    this.exitEmitter.fire(this.status!);
    // Nothing fires any more: listeners (and what they close over) are not kept by this Pty.
    this.dataEmitter.dispose();
    this.exitEmitter.dispose();
    this.drainEmitter.dispose();
  }
}
