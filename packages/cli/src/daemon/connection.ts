/**
 * One accepted connection. Its credentials come from SO_PEERCRED, read by the acceptor at accept
 * (listen.ts) before any byte is read, and it is admitted (per-uid cap, fd headroom kept for
 * root) before it costs anything more. The first bytes decide what it is: `DEVFS-PTY <channel>\n`
 * makes it a pty data connection; anything else must be JSON-RPC, read through the FrameGuard
 * (framing, size, deadline and the shared budget for incomplete messages) into vscode-jsonrpc. A protocol
 * violation gets one JSON-RPC error (id null) and the connection is closed; other clients are not
 * affected. Everything sent to a client goes through `Session.notify` or the connection itself and
 * never throws into the daemon: a gone or disposed client is simply not written to.
 */
import * as net from 'net';
import { toDevfsError } from '@devfs/core';
import type { PeerCred as Peer } from '@devfs/native';
import {
  createMessageConnection, ErrorCodes, ResponseError, StreamMessageReader, StreamMessageWriter,
} from 'vscode-jsonrpc/node';
import { credOf, mountFor } from './access';
import type { Admission } from './admission';
import type { DaemonLimits } from './config';
import type { DaemonState, Session } from './context';
import type { Handlers } from './handlers';
import { ByteBudget, FrameGuard } from '../protocol/guard';
import { DEVFS_ERROR, ErrorData } from '../protocol/methods';
import { MAX_INFLIGHT_REQUESTS, MAX_UNSENT_BYTES, PTY_DATA_MAGIC, REPLY_HIGH_WATER } from '../protocol/limits';

let nextSession = 1;

/** Reports what happens to connections (the daemon logs it, throttled per uid). */
export type ConnLog = (uid: number, line: string) => void;

/** What every connection shares. */
export interface Gate {
  state: DaemonState;
  handlers: Handlers;
  log: ConnLog;
  sessions: Set<Session>;
  admission: Admission;
  /** Aggregate budget for incomplete messages of non-root clients. */
  budget: ByteBudget;
  limits: DaemonLimits;
}

/** How long a refused connection is kept half-closed (its input read and dropped) so that the client's first request does not fail with EPIPE before it reads why. */
const REFUSE_LINGER_MS = 250;

/** Sends one JSON-RPC error (id null), half-closes, drops what still comes and closes shortly after. */
function refuseSocket(socket: net.Socket, why: string): void {
  const body = JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: ErrorCodes.InvalidRequest, message: why } });
  if (!socket.destroyed) {
    socket.end(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    socket.on('end', () => socket.destroy());
    socket.resume();
  }
  setTimeout(() => socket.destroy(), REFUSE_LINGER_MS).unref();
}

/** Handles a freshly accepted socket from `peer` until it closes. */
export function acceptConnection(socket: net.Socket, peer: Peer, gate: Gate): void {
  socket.on('error', () => undefined);
  const ticket = gate.admission.admit(peer.uid);
  if (typeof ticket === 'string') {
    gate.log(peer.uid, `connection from uid ${peer.uid} (pid ${peer.pid}) refused: ${ticket}`);
    refuseSocket(socket, ticket);
    return;
  }
  socket.once('close', () => ticket.release());
  let head = Buffer.alloc(0);
  let timer: NodeJS.Timeout | undefined;
  const decided = () => {
    socket.off('data', first);
    socket.off('end', ended);
    if (timer) clearTimeout(timer);
    socket.pause();
  };
  const ended = () => { decided(); socket.destroy(); };
  const first = (chunk: Buffer) => {
    timer ??= setTimeout(() => socket.destroy(), gate.limits.frameTimeoutMs).unref();
    head = Buffer.concat([head, chunk]);
    const magic = Buffer.from(PTY_DATA_MAGIC);
    const n = Math.min(head.length, magic.length);
    if (head.subarray(0, n).equals(magic.subarray(0, n))) {
      const nl = head.indexOf(10);
      if (nl < 0) {
        if (head.length > 128) { decided(); socket.destroy(); }
        return;
      }
      decided();
      const rest = head.subarray(nl + 1);
      if (rest.length) socket.unshift(rest);
      gate.state.ptys.offerChannel(head.subarray(magic.length, nl).toString('latin1'), socket, peer.uid);
      return;
    }
    decided();
    startRpc(socket, head, peer, gate);
  };
  socket.on('data', first);
  socket.on('end', ended);
}

function startRpc(socket: net.Socket, head: Buffer, peer: Peer, gate: Gate): void {
  const { state, handlers, sessions } = gate;
  const cred = credOf(peer.uid, peer.gid);
  const mountName = mountFor(cred, state.access);
  const mount = state.host.kernel.mountNamed(mountName);
  let inflight = 0;
  const guard = new FrameGuard({
    budget: peer.uid === 0 ? undefined : gate.budget,
    frameTimeoutMs: gate.limits.frameTimeoutMs,
    // the next request waits while this client has enough unanswered ones or unread replies
    ready: () => inflight < MAX_INFLIGHT_REQUESTS && socket.writableLength < REPLY_HIGH_WATER,
  });
  const reader = new StreamMessageReader(guard);
  // vscode-jsonrpc re-arms a timer for a partial message forever and dispose() does not clear it:
  // the timer kept every half-sent body alive after its connection closed (issue 13: 1,200 of them
  // held 1.65 GB). The guard hands the reader whole messages only; and no such timer is armed.
  reader.partialMessageTimeout = 0;
  const conn = createMessageConnection(reader, new StreamMessageWriter(socket));
  let closed = false;
  let closedFiles: Promise<void> = Promise.resolve();
  const answered = () => { inflight--; guard.wake(); };
  const s: Session = {
    id: nextSession++, cred, pid: peer.pid, mount: mount!, files: new Map(), nextFd: 3, conn, state,
    close: () => { cleanup(); socket.destroy(); return closedFiles; },
    notify: (method, params) => {
      if (closed || socket.destroyed) {
        // a subscription made after the close (events.subscribe racing a disconnect) ends here
        const off = s.unsubscribe;
        s.unsubscribe = undefined;
        off?.();
        return false;
      }
      if (socket.writableLength > MAX_UNSENT_BYTES) {
        refuse(`ENOBUFS: more than ${MAX_UNSENT_BYTES} bytes unread by this client`);
        return false;
      }
      try {
        void conn.sendNotification(method, params).catch(() => undefined);
        return true;
      } catch {
        return false; // disposed or closed in between: the client is gone
      }
    },
  };
  const refuse = (why: string) => {
    if (closed) return;
    gate.log(cred.uid, `client ${s.id} (uid ${cred.uid}, pid ${peer.pid}) refused: ${why}`);
    refuseSocket(socket, why);
    cleanup();
  };
  const cleanup = () => {
    if (closed) return;
    closed = true;
    sessions.delete(s);
    s.unsubscribe?.();
    state.ptys.dropOwner(s);
    closedFiles = Promise.all([...s.files.values()].map((f) => f.close().catch(() => undefined))).then(() => undefined);
    s.files.clear();
    socket.unpipe(guard);
    guard.destroy();
    conn.dispose();
  };
  if (!mount) {
    refuse(`ENOENT: your mount '${mountName}' does not exist`);
    return;
  }
  sessions.add(s);
  guard.on('data', () => { inflight++; });
  guard.on('error', (err) => refuse(err.message));
  conn.onError(([err]) => refuse(`EPROTO: ${err.message}`));
  conn.onClose(() => cleanup());
  conn.onUnhandledNotification(() => answered());
  socket.on('close', () => cleanup());
  socket.on('end', () => socket.end()); // the client is done sending: finish our side too
  socket.on('drain', () => guard.wake());
  for (const [method, h] of Object.entries(handlers)) {
    conn.onRequest(method, async (params: unknown) => {
      try {
        return await h(s, params);
      } catch (err) {
        const e = toDevfsError(err, method);
        const data: ErrorData = { code: e.code };
        if (e.syscall) data.syscall = e.syscall;
        if (e.path !== undefined) data.path = e.path;
        return new ResponseError(DEVFS_ERROR, e.message, data);
      } finally {
        setImmediate(answered); // after vscode-jsonrpc has queued the reply (writableLength sees it)
      }
    });
  }
  conn.onRequest((method: string) => {
    setImmediate(answered);
    return new ResponseError(ErrorCodes.MethodNotFound, `ENOSYS: unknown method '${method}'`, { code: 'ENOSYS' });
  });
  conn.listen();
  socket.pipe(guard);
  if (head.length) guard.write(head);
  socket.resume();
}
