/** Options of {@link FdPollerCtor}. */
export interface FdPollerOptions {
  /**
   * 'stream' (default): reads until EAGAIN, delivering chunks; read() == 0 and EIO (a pty master
   * whose slaves are all closed) are end of output. 'datagram': one read() is one frame, kept in a
   * native queue of `queueFrames` frames until `readFrame()` copies it out (no JS object per
   * frame); the fd is not polled for input while that queue is full. EIO is an error there.
   */
  mode?: 'stream' | 'datagram';
  /** Stream mode (required there): chunks read in one loop turn, in order. Never empty. */
  onData?(chunks: Buffer[]): void;
  /** Datagram mode (required there): frames were queued; `queued` is how many wait now. */
  onFrames?(queued: number): void;
  /** Datagram mode: frames kept before the fd stops being read (default 512). */
  queueFrames?: number;
  /**
   * Datagram mode: bytes of taken frames' buffers kept for reuse (default 1 MiB, at most 128
   * buffers). Queues of 64 KiB GSO frames want more: freed and allocated again at every burst,
   * their buffers cost page faults (a quarter of a bridge's CPU time was measured there).
   */
  framePoolBytes?: number;
  /**
   * End of input: called once, after every byte read has gone to `onData`. `err` is set when
   * read() failed (code/errno/syscall), absent for a clean end (EOF, or EIO on a pty master).
   */
  onEnd(err?: Error): void;
  /** The write queue drained to empty after `write`/`writeFrame` had to queue. */
  onWritable?(): void;
  /** A queued write failed (e.g. EIO after the pty's child exited); the queue is discarded. */
  onError?(err: Error): void;
  /** Bytes per read() (stream) or largest frame (datagram); default 65536. */
  readSize?: number;
  /** Bound of the write queue; a write that would exceed it throws ENOBUFS. Default 64 MiB. */
  maxQueuedBytes?: number;
  /** Close the fd in `close()` (and on env teardown). Default false: the caller owns the fd. */
  ownsFd?: boolean;
}

/**
 * Non-blocking reader/writer on one fd through one `uv_poll` handle on the calling
 * environment's loop. Only one poller per fd and loop (libuv's rule: a second one throws EEXIST).
 * While reading or while writes are queued, the object keeps itself (and, unless `unref()`ed,
 * the loop) alive. An env cleanup hook closes it when the environment (e.g. a worker) ends.
 */
export interface FdPoller {
  /** Starts (or resumes) reading: waits for POLLIN. No effect after the end. */
  startReading(): void;
  /** Pauses reading (stops POLLIN); the kernel buffers the data meanwhile. */
  stopReading(): void;
  /**
   * Writes as much as the fd takes now; queues the rest and waits for POLLOUT (no retry loop).
   * Returns the bytes now queued. Throws (code set) on an immediate write error, ENOBUFS when
   * the queue bound would be exceeded (nothing written then), EBADF after close.
   */
  write(buf: Buffer): number;
  /** Datagram mode: one call = one frame; EAGAIN queues the whole frame. Returns queued bytes. */
  writeFrame(buf: Buffer): number;
  /**
   * Datagram mode: copies the oldest queued frame into `buf` (truncated to it) and returns the
   * bytes copied, or -1 when no frame waits. Taking a frame from a full queue resumes reading.
   */
  readFrame(buf: Buffer): number;
  /**
   * Datagram mode: moves up to `bufs.length` queued frames in one call, frame i into `bufs[i]`
   * (truncated to it) and its copied length into `lens[i]`; returns how many (0 when none waits).
   */
  readFrames(bufs: Buffer[], lens: Uint32Array): number;
  /**
   * Datagram mode: sends the first `count` (default all) buffers as one frame each (written now
   * or queued for POLLOUT); returns how many were taken. Stops early at the write-queue bound
   * (ENOBUFS) or a write error; either on the first frame throws.
   */
  writeFrames(bufs: Buffer[], count?: number): number;
  /** Datagram mode: length of the oldest queued frame, 0 when none. */
  nextFrameLength(): number;
  /** Datagram mode: discards every queued frame; returns how many. */
  dropFrames(): number;
  /** Datagram mode: frames waiting for `readFrame`. */
  readonly framesQueued: number;
  /**
   * Stops polling, drops queued writes and frames, closes the uv handle, then (only if `ownsFd`)
   * the fd; releases the callbacks and the read buffer. Afterwards `write`, `writeFrame`,
   * `readFrame` and `startReading` throw EBADF: the old fd number is never used again.
   * With `done`, an owned fd is closed on the thread pool instead (close(2) of a tun fd that
   * removes its interface takes ~20 ms) and `done()` runs on the loop once it is closed; the
   * rest of the close happens at once, as without it.
   */
  close(done?: () => void): void;
  /** The handle keeps the event loop alive while active (default). */
  ref(): void;
  /** The handle does not keep the event loop alive. */
  unref(): void;
  /** Bytes waiting in the write queue. */
  readonly queuedBytes: number;
  /** The polled fd (-1 after close). */
  readonly fd: number;
  readonly closed: boolean;
  readonly reading: boolean;
}

/** Constructor of {@link FdPoller}. */
export interface FdPollerCtor {
  new (fd: number, options: FdPollerOptions): FdPoller;
}

/**
 * One-shot readiness of an fd on the env's loop, without reading or writing it (for drivers that
 * read on demand). Shares FdPoller's rule: one poll handle per fd and loop (EEXIST otherwise).
 */
export interface FdWatch {
  /** Waits once for `events` (POLLIN and/or POLLOUT bits); then calls onReady and disarms. */
  arm(events: number): void;
  /** Cancels a pending arm. */
  disarm(): void;
  /** Releases the uv handle (never closes the fd) and the callback; `arm` is EBADF afterwards. */
  close(): void;
  readonly armed: boolean;
}

/** Constructor of {@link FdWatch}: `onReady(revents)` gets POLLIN/POLLOUT/POLLHUP/POLLERR bits. */
export interface FdWatchCtor {
  new (fd: number, onReady: (revents: number) => void): FdWatch;
}

/** Native fdio calls (implemented in src/fdio.cc). Errors carry `code`, `errno`, `syscall`. */
export interface FdioBinding {
  FdPoller: FdPollerCtor;
  FdWatch: FdWatchCtor;
  /** read(2) once into buf[off, off+len); 0 = EOF; throws EAGAIN when nothing is ready. */
  fdRead(fd: number, buf: Buffer, off?: number, len?: number): number;
  /** write(2) once from buf[off, off+len); returns bytes written; throws EAGAIN when full. */
  fdWrite(fd: number, buf: Buffer, off?: number, len?: number): number;
  /** close(2). */
  fdClose(fd: number): void;
  /** ioctl(2) with an int out-argument (FIONREAD, TIOCGPTN, ...); returns that int. */
  fdIoctlInt(fd: number, request: number): number;
  /** poll(2) with a zero timeout: the revents bits now (0 when none). */
  fdPoll(fd: number, events: number): number;
  /** pipe2(O_CLOEXEC|O_NONBLOCK): [readFd, writeFd]. */
  fdPipe(): [number, number];
}
