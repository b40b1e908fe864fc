/**
 * One accepted connection. Its credentials come from SO_PEERCRED (native.peerCred on the socket's
 * fd) before any byte is read. The first bytes decide what it is: `DEVFS-PTY <channel>\n` makes it
 * a pty data connection; anything else must be JSON-RPC, read through the FrameGuard (framing and
 * size checks) into vscode-jsonrpc. A protocol violation gets one JSON-RPC error (id null) and the
 * connection is closed; other clients are not affected.
 */
import * as net from 'net';
import { native } from '@devfs/native';
import { toDevfsError } from '@devfs/core';
import {
  createMessageConnection, ErrorCodes, ResponseError, StreamMessageReader, StreamMessageWriter,
} from 'vscode-jsonrpc/node';
import { credOf, mountFor } from './access';
import type { DaemonState, Session } from './context';
import type { Handlers } from './handlers';
import { FrameGuard } from '../protocol/guard';
import { DEVFS_ERROR, ErrorData } from '../protocol/methods';
import { PTY_DATA_MAGIC } from '../protocol/limits';

let nextSession = 1;

/** Reports what happens to connections (the daemon logs it). */
export type ConnLog = (line: string) => void;

/** Handles a freshly accepted socket until it closes. */
export function acceptConnection(socket: net.Socket, state: DaemonState, handlers: Handlers, log: ConnLog, sessions: Set<Session>): void {
  let peer: { pid: number; uid: number; gid: number };
  try {
    peer = native.peerCred((socket as unknown as { _handle: { fd: number } })._handle.fd);
  } catch (err) {
    log(`connection refused: cannot read peer credentials (${(err as Error).message})`);
    socket.destroy();
    return;
  }
  socket.on('error', () => undefined);
  let head = Buffer.alloc(0);
  const first = (chunk: Buffer) => {
    head = Buffer.concat([head, chunk]);
    const magic = Buffer.from(PTY_DATA_MAGIC);
    const n = Math.min(head.length, magic.length);
    if (head.subarray(0, n).equals(magic.subarray(0, n))) {
      const nl = head.indexOf(10);
      if (nl < 0) {
        if (head.length > 128) socket.destroy();
        return;
      }
      socket.off('data', first);
      const rest = head.subarray(nl + 1);
      if (rest.length) socket.unshift(rest);
      state.ptys.offerChannel(head.subarray(magic.length, nl).toString('latin1'), socket, peer.uid);
      return;
    }
    socket.off('data', first);
    socket.pause();
    startRpc(socket, head, peer, state, handlers, log, sessions);
  };
  socket.on('data', first);
}

function startRpc(socket: net.Socket, head: Buffer, peer: { pid: number; uid: number; gid: number }, state: DaemonState,
  handlers: Handlers, log: ConnLog, sessions: Set<Session>): void {
  const cred = credOf(peer.uid, peer.gid);
  const mountName = mountFor(cred, state.access);
  const mount = state.host.kernel.mountNamed(mountName);
  const guard = new FrameGuard();
  const conn = createMessageConnection(new StreamMessageReader(guard), new StreamMessageWriter(socket));
  let closed = false;
  let closedFiles: Promise<void> = Promise.resolve();
  const s: Session = {
    id: nextSession++, cred, pid: peer.pid, mount: mount!, files: new Map(), nextFd: 3, conn, state,
    close: () => { cleanup(); socket.destroy(); return closedFiles; },
  };
  const refuse = (why: string) => {
    if (closed) return;
    log(`client ${s.id} (uid ${cred.uid}, pid ${peer.pid}) refused: ${why}`);
    const body = JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: ErrorCodes.InvalidRequest, message: why } });
    socket.end(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    setTimeout(() => socket.destroy(), 200).unref();
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
  guard.on('error', (err) => refuse(err.message));
  conn.onError(([err]) => refuse(`EPROTO: ${err.message}`));
  conn.onClose(() => cleanup());
  socket.on('close', () => cleanup());
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
      }
    });
  }
  conn.onRequest((method: string) => new ResponseError(ErrorCodes.MethodNotFound, `ENOSYS: unknown method '${method}'`, { code: 'ENOSYS' }));
  conn.listen();
  socket.pipe(guard);
  if (head.length) guard.write(head);
  socket.resume();
}
