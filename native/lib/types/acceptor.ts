import type { PeerCred } from './sock';

/** Options of {@link UnixAcceptorCtor}: exactly one of `path` and `fd`. */
export interface UnixAcceptorOptions {
  /**
   * Binds a new `AF_UNIX` `SOCK_STREAM` socket here (`socket`/`bind`/`listen`, `O_CLOEXEC`). The
   * file gets the process's umask (chmod it after); an existing path is `EADDRINUSE` (remove a
   * stale socket first). `close()` removes the file again, as a `net.Server` does.
   */
  path?: string;
  /**
   * Adopts a bound or listening `AF_UNIX` `SOCK_STREAM` socket (`listen(backlog)` is called, and it
   * is made non-blocking and close-on-exec). The acceptor owns it from then on (`close()` closes
   * it); when the constructor throws it is still the caller's.
   */
  fd?: number;
  /** `listen(2)` backlog, 1..65535; default 511 (as `net.Server`). */
  backlog?: number;
  /**
   * One accepted connection: `fd` (`O_CLOEXEC|O_NONBLOCK`, now the callee's to close — e.g.
   * `new net.Socket({ fd, readable: true, writable: true })` takes it) and its peer's credentials
   * as the kernel recorded them at `connect()` (`SO_PEERCRED`). Called once per connection, in
   * `accept` order; a throw becomes the process's uncaught exception.
   */
  onConnection(fd: number, cred: PeerCred): void;
  /**
   * `accept` failed (`code`, `errno`, `syscall: 'accept'`, `path`), or an accepted connection's
   * `SO_PEERCRED` could not be read (`syscall: 'getsockopt'`; that connection was closed).
   * `EMFILE`/`ENFILE`: the waiting connections were accepted and closed with the reserve fd, or —
   * with no reserve — polling paused for 100 ms. The acceptor keeps listening either way.
   */
  onError?(err: Error): void;
}

/**
 * A listening Unix socket owned by the addon: one `uv_poll` on the calling environment's loop;
 * on readable it `accept4`s until `EAGAIN` and reports each connection with its peer's
 * credentials — the supported way to learn who connected (a `net.Server` keeps the fd private).
 * While open it keeps itself (and, unless `unref()`ed, the loop) alive.
 */
export interface UnixAcceptor {
  /**
   * Stops polling, removes the socket file it bound (not an adopted fd's), closes the listening
   * fd and its reserve fd, and drops the callbacks. Connections already delivered are untouched.
   * Idempotent.
   */
  close(): void;
  /** The poll keeps the event loop alive (default). */
  ref(): void;
  /** The poll does not keep the event loop alive. */
  unref(): void;
  /** The listening fd (-1 after close). */
  readonly fd: number;
  /** The path it bound (undefined for an adopted fd, and after close). */
  readonly path: string | undefined;
  readonly closed: boolean;
}

/** Constructor of {@link UnixAcceptor}: bad options throw `EINVAL` (`code`, `errno`, `syscall`). */
export interface UnixAcceptorCtor {
  new (options: UnixAcceptorOptions): UnixAcceptor;
}

/** The acceptor (implemented in src/sock_accept.cc). */
export interface AcceptorBinding {
  UnixAcceptor: UnixAcceptorCtor;
}
