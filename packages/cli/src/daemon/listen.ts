/**
 * Listening on the control socket. An existing path is probed first: if a daemon answers, we
 * refuse (EADDRINUSE); if nothing listens (ECONNREFUSED: a crashed daemon's stale socket) it is
 * removed and replaced; a path that is not a socket is never removed (EEXIST).
 *
 * The addon's `UnixAcceptor` owns the listening socket and accepts: each connection arrives with
 * its peer's `SO_PEERCRED` credentials, read at accept, and its fd becomes a `net.Socket` through
 * the public `{ fd }` constructor — nothing reaches into Node's socket internals.
 */
import * as fs from 'fs';
import * as net from 'net';
import { devfsError } from '@devfs/core';
import { native } from '@devfs/native';
import type { PeerCred } from '@devfs/native';

/** Resolves true when something accepts connections on `file`. */
export function probeSocket(file: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(file);
    const t = setTimeout(() => { s.destroy(); resolve(true); }, timeoutMs);
    s.once('connect', () => { clearTimeout(t); s.destroy(); resolve(true); });
    s.once('error', () => { clearTimeout(t); resolve(false); });
  });
}

/** What a listener reports. */
export interface ListenEvents {
  /** A connection: a readable, writable socket and its peer's credentials (the kernel's, from connect()). */
  connection(socket: net.Socket, peer: PeerCred): void;
  /**
   * accept() failed (EMFILE/ENFILE when the fds are gone: the waiting connections were closed, or
   * accepting pauses briefly), a peer's credentials could not be read (syscall 'getsockopt'; that
   * connection was closed), or an accepted fd could not become a socket. Listening goes on.
   */
  error(err: Error): void;
}

/** The listening control socket. */
export interface UnixListener {
  /** Stops accepting and removes the socket file; connections already made stay open. Idempotent. */
  close(): void;
}

/** Options of listenUnix. */
export interface ListenOptions {
  /** Of every accepted socket: its half-close (end) does not end our side. */
  allowHalfOpen: boolean;
}

/**
 * Listens on `file` (mode 0666: anyone may connect; permissions are checked per request), after
 * replacing a stale socket there. Rejects with EADDRINUSE when a daemon answers on it, EEXIST when
 * it is not a socket, or the code of the failed bind/listen.
 */
export async function listenUnix(file: string, on: ListenEvents, opts: ListenOptions): Promise<{ listener: UnixListener; replacedStale: boolean }> {
  let replacedStale = false;
  let st: fs.Stats | undefined;
  try {
    st = fs.lstatSync(file);
  } catch (err) {
    if ((err as { code?: string }).code !== 'ENOENT') throw devfsError((err as { code: string }).code, 'listen', file);
  }
  if (st) {
    if (!st.isSocket()) throw devfsError('EEXIST', 'listen', file, `${file} exists and is not a socket; not replacing it`);
    if (await probeSocket(file)) throw devfsError('EADDRINUSE', 'listen', file, `another devfs daemon is already listening on ${file}`);
    fs.unlinkSync(file);
    replacedStale = true;
  }
  let acceptor;
  try {
    acceptor = new native.UnixAcceptor({
      path: file,
      onConnection: (fd, peer) => {
        const socket = socketOf(fd, opts.allowHalfOpen, on.error);
        if (socket) on.connection(socket, peer);
      },
      onError: (err) => on.error(err),
    });
  } catch (err) {
    throw devfsError((err as { code?: string }).code ?? 'EIO', 'listen', file, (err as Error).message);
  }
  try {
    fs.chmodSync(file, 0o666);
  } catch (err) {
    acceptor.close();
    throw devfsError((err as { code?: string }).code ?? 'EIO', 'listen', file, (err as Error).message);
  }
  return { listener: acceptor, replacedStale };
}

/** An accepted fd as a net.Socket (public API); on failure the fd is closed and the error reported. */
function socketOf(fd: number, allowHalfOpen: boolean, onError: (err: Error) => void): net.Socket | undefined {
  try {
    return new net.Socket({ fd, readable: true, writable: true, allowHalfOpen });
  } catch (err) {
    native.fdClose(fd);
    onError(err as Error);
    return undefined;
  }
}
