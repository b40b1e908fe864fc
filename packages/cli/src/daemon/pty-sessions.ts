/**
 * `pty spawn` sessions. Terminal bytes do not travel inside JSON-RPC: the client first opens a
 * second connection to the same socket and sends one line `DEVFS-PTY <channel>\n` (a random
 * 128-bit name it chose); from then on that connection carries raw bytes both ways — keyboard in,
 * screen out — with no encoding and with socket backpressure (a slow terminal pauses the pty).
 * Then it sends `pty.spawn { channel, ... }` on its control connection; the daemon pairs the two
 * (same peer uid only), starts the program on a pty cloned through the pty driver, running as the
 * caller's uid/gid, and wires it to the channel. Window-size changes and signals are JSON-RPC
 * requests; when the program exits, the daemon ends the data connection after the last output
 * byte and then sends `pty.exit` with the status (if the client is still there to hear it).
 *
 * Both directions have backpressure: output pauses the pty while the data connection cannot take
 * more; input stops reading the data connection while more than PTY_INPUT_HIGH_WATER bytes wait
 * for the program, and resumes when it has read them. The client half-closing the data connection
 * (its stdin ended) types the terminal's EOF (^D) into the pty; the output keeps flowing until the
 * program exits. Nothing a client does here can throw into the daemon: every listener contains its
 * own failure.
 */
import * as net from 'net';
import { devfsError } from '@devfs/core';
import type { Cred, Host } from '@devfs/core';
import { spawn } from '@devfs/drivers-pty';
import type { IPty, Pty, PtyDriver } from '@devfs/drivers-pty';
import type { Session } from './context';
import { builtinDriver } from './drivers';
import { N, PtySpawnResult } from '../protocol/methods';
import { MAX_PTY_SESSIONS, PTY_ATTACH_TIMEOUT_MS, PTY_EOF, PTY_INPUT_HIGH_WATER } from '../protocol/limits';

interface Channel { socket: net.Socket; uid: number; timer: NodeJS.Timeout }
interface Waiter { owner: Session; resolve: (c: Channel) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }

/** One running program. */
interface PtySession { id: number; owner: Session; pty: IPty<Buffer>; data: net.Socket; done: boolean; killTimer?: NodeJS.Timeout }

/** What the daemon's pty (drivers-pty's Pty) offers beyond node-pty's IPty: input queue depth and its drain. */
interface InputQueue { readonly queuedInput?: number; onDrain?(listener: () => void): { dispose(): void } }

/** How long a hung-up program (its client is gone) may ignore SIGHUP before it gets SIGKILL. */
const HANGUP_GRACE_MS = 5000;
/** How long a finished session's data connection may stay half-open before it is closed. */
const LINGER_MS = 5000;

const LINE_ENDS = new Set([0x0a, 0x0d, PTY_EOF]);

/** What pty.spawn asks for (validated by the caller). */
export interface SpawnRequest { channel: string; file: string; args: string[]; cols: number; rows: number; env?: Record<string, string>; cwd?: string }

/** All pty sessions of the daemon and the data channels waiting to be paired. */
export class PtySessions {
  private readonly channels = new Map<string, Channel>();
  private readonly waiters = new Map<string, Waiter>();
  private readonly sessions = new Map<number, PtySession>();
  private nextId = 1;

  /** `perUser`: pty sessions one uid (other than root) may run at once, across its connections. */
  constructor(private readonly host: Host, private readonly perUser = Infinity) {}

  /** A data connection announced itself: pair it with its spawn request (or keep it a moment). */
  offerChannel(name: string, socket: net.Socket, uid: number): void {
    if (!/^[0-9a-f]{32}$/.test(name) || this.channels.has(name)) {
      socket.destroy();
      return;
    }
    const w = this.waiters.get(name);
    const timer = setTimeout(() => { this.channels.delete(name); socket.destroy(); }, PTY_ATTACH_TIMEOUT_MS);
    const ch: Channel = { socket, uid, timer };
    if (w) {
      this.waiters.delete(name);
      clearTimeout(w.timer);
      if (w.owner.cred.uid !== uid) {
        clearTimeout(timer);
        socket.destroy();
        w.reject(devfsError('EPERM', 'pty.spawn', undefined, 'the data connection belongs to another user'));
        return;
      }
      clearTimeout(timer);
      w.resolve(ch);
      return;
    }
    this.channels.set(name, ch);
    socket.once('close', () => { if (this.channels.get(name) === ch) { clearTimeout(timer); this.channels.delete(name); } });
  }

  /** Starts a program for `s` on a new pty wired to the channel `req.channel`. */
  async spawn(s: Session, req: SpawnRequest): Promise<PtySpawnResult> {
    let mine = 0;
    let user = 0;
    for (const p of [...this.sessions.values(), ...this.waiters.values()]) {
      if (p.owner === s) mine++;
      if (p.owner.cred.uid === s.cred.uid) user++;
    }
    if (mine >= MAX_PTY_SESSIONS) throw devfsError('EAGAIN', 'pty.spawn', undefined, `at most ${MAX_PTY_SESSIONS} pty sessions per client`);
    if (s.cred.uid !== 0 && user >= this.perUser) throw devfsError('EAGAIN', 'pty.spawn', undefined, `at most ${this.perUser} pty sessions per user (limits.ptysPerUser)`);
    const ch = await this.claim(req.channel, s);
    let pty: Pty<Buffer>;
    try {
      pty = spawn(req.file, req.args, {
        encoding: null, cols: req.cols, rows: req.rows, cwd: req.cwd, env: req.env ?? defaultEnv(s.cred),
        ...this.identity(s.cred), driver: this.ptyDriver(), cred: s.cred,
        throwOnSpawnError: true, // a program that cannot start is the client's coded error (ENOENT…)
      });
    } catch (err) {
      ch.socket.destroy();
      throw err;
    }
    const ps: PtySession = { id: this.nextId++, owner: s, pty, data: ch.socket, done: false };
    this.sessions.set(ps.id, ps);
    this.wire(ps);
    return { session: ps.id, token: req.channel, pid: pty.pid, pts: pty.ptsName };
  }

  /** TIOCSWINSZ on a session of `s`. */
  resize(s: Session, id: number, cols: number, rows: number): void {
    this.of(s, id).pty.resize(cols, rows);
  }

  /** Sends a signal to the program of a session of `s`. */
  kill(s: Session, id: number, signal: string): void {
    this.of(s, id).pty.kill(signal);
  }

  /** The client went away: hang up its programs (SIGHUP, as a closed terminal does). */
  dropOwner(s: Session): void {
    for (const p of this.sessions.values()) if (p.owner === s) this.hangup(p);
    for (const [name, w] of this.waiters) {
      if (w.owner !== s) continue;
      this.waiters.delete(name);
      clearTimeout(w.timer);
      w.reject(devfsError('ECONNRESET', 'pty.spawn', undefined, 'the client went away'));
    }
  }

  /** Daemon shutdown: hang up every program and wait (bounded) for their exits. */
  async closeAll(timeoutMs = 3000): Promise<void> {
    const live = [...this.sessions.values()];
    const exits = live.map((p) => new Promise<void>((r) => { if (p.done) r(); else p.pty.onExit(() => r()); }));
    for (const p of live) this.hangup(p);
    await Promise.race([Promise.all(exits), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
    for (const p of this.sessions.values()) { try { p.pty.kill('SIGKILL'); } catch { /* gone */ } }
    for (const w of this.waiters.values()) { clearTimeout(w.timer); w.reject(devfsError('ESHUTDOWN', 'pty.spawn')); }
    for (const c of this.channels.values()) { clearTimeout(c.timer); c.socket.destroy(); }
  }

  private hangup(p: PtySession): void {
    if (p.done) return;
    try { p.pty.kill('SIGHUP'); } catch { /* already gone */ }
    if (p.killTimer) return;
    p.killTimer = setTimeout(() => { if (!p.done) { try { p.pty.kill('SIGKILL'); } catch { /* gone */ } } }, HANGUP_GRACE_MS);
    p.killTimer.unref();
  }

  private of(s: Session, id: number): PtySession {
    const p = this.sessions.get(id);
    if (!p || p.owner !== s) throw devfsError('ENOENT', 'pty', String(id), 'no such pty session on this connection');
    return p;
  }

  private claim(name: string, owner: Session): Promise<Channel> {
    const ch = this.channels.get(name);
    if (ch) {
      this.channels.delete(name);
      clearTimeout(ch.timer);
      if (ch.uid !== owner.cred.uid) {
        ch.socket.destroy();
        return Promise.reject(devfsError('EPERM', 'pty.spawn', undefined, 'the data connection belongs to another user'));
      }
      return Promise.resolve(ch);
    }
    if (this.waiters.has(name)) return Promise.reject(devfsError('EBUSY', 'pty.spawn', undefined, 'channel already claimed'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(name);
        reject(devfsError('ETIMEDOUT', 'pty.spawn', undefined, 'the data connection did not arrive'));
      }, PTY_ATTACH_TIMEOUT_MS);
      this.waiters.set(name, { owner, resolve, reject, timer });
    });
  }

  private wire(ps: PtySession): void {
    const { pty, data } = ps;
    const input = pty as unknown as InputQueue;
    let lineStart = true;
    pty.onData((buf) => {
      if (!data.destroyed && !data.write(buf)) pty.pause();
    });
    data.on('drain', () => { if (!ps.done) pty.resume(); });
    data.on('data', (buf: Buffer) => {
      if (ps.done) return;
      if (!this.type(ps, buf)) return;
      lineStart = LINE_ENDS.has(buf[buf.length - 1]);
      if ((input.queuedInput ?? 0) >= PTY_INPUT_HIGH_WATER) data.pause(); // resumed by onDrain
    });
    input.onDrain?.(() => { if (!ps.done && !data.destroyed) data.resume(); });
    data.on('end', () => {
      // the client's stdin ended: the terminal's EOF (a second ^D ends a non-empty line first)
      if (!ps.done) this.type(ps, Buffer.from(lineStart ? [PTY_EOF] : [PTY_EOF, PTY_EOF]));
    });
    data.on('error', () => undefined);
    data.on('close', () => {
      if (ps.done) return;
      this.hangup(ps);
      pty.resume(); // nobody will 'drain' a closed socket: read (and drop) the rest so the pty can finish
    });
    pty.onExit(({ exitCode, signal }) => {
      ps.done = true;
      if (ps.killTimer) clearTimeout(ps.killTimer);
      this.sessions.delete(ps.id);
      let told = false;
      const notify = () => {
        if (told) return;
        told = true;
        ps.owner.notify(N.ptyExit, { session: ps.id, exitCode, signal: signal ?? 0 });
      };
      if (data.destroyed || !data.writable) { data.destroy(); notify(); return; }
      const linger = setTimeout(() => data.destroy(), LINGER_MS); // a peer that never closes its side
      linger.unref();
      data.end(notify);
      data.once('close', () => { clearTimeout(linger); notify(); });
    });
    if (data.destroyed) this.hangup(ps); // the client was gone before the program started
    else data.resume();
  }

  /** Queues input for the program; a failure (the queue bound) ends this session only. */
  private type(ps: PtySession, buf: Buffer): boolean {
    try {
      ps.pty.write(buf);
      return true;
    } catch {
      this.hangup(ps);
      ps.data.destroy();
      return false;
    }
  }

  private identity(cred: Cred): { uid?: number; gid?: number } {
    const self = process.getuid?.() ?? 0;
    if (cred.uid === self && cred.gid === (process.getgid?.() ?? 0)) return {};
    return { uid: cred.uid, gid: cred.gid };
  }

  /** The attached pty driver, when the driver named 'pty' hosts ptys (has allocatePty); else spawn uses the host's own. */
  private ptyDriver(): PtyDriver | undefined {
    try {
      const d = builtinDriver(this.host, 'pty', 'pty.spawn');
      return typeof d.allocatePty === 'function' ? d : undefined;
    } catch {
      return undefined;
    }
  }
}

function defaultEnv(cred: Cred): Record<string, string> {
  return { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: cred.uid === 0 ? '/root' : '/', TERM: 'xterm-256color' };
}
