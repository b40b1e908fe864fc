/** A freshly allocated host pty: the master fd (O_CLOEXEC|O_NONBLOCK) and its slave's path. */
export interface PtyPair {
  /** Master fd, owned by the caller (close it with `fdClose`). */
  fd: number;
  /** Host path of the slave, e.g. '/dev/pts/7'. */
  ptsPath: string;
  /** Host pty number (TIOCGPTN). */
  ptn: number;
}

/** Options of {@link PtyBinding.ptySpawn}. */
export interface PtySpawnOptions {
  /** Program; without '/', searched in the child env's PATH (else ours), like execvp. */
  file: string;
  /** Arguments after argv[0] (argv[0] is `file`). */
  args?: string[];
  /** Environment as 'K=V' strings; default: this process's environment. */
  env?: string[];
  /** Working directory of the child; default: ours. */
  cwd?: string;
  /** Slave path (from `ptyOpen`): becomes stdin/stdout/stderr and the controlling terminal. */
  ptsPath: string;
  /** setuid in the child (after the slave is opened); supplementary groups are dropped. */
  uid?: number;
  /** setgid in the child; supplementary groups are dropped. */
  gid?: number;
}

/** Watches a child's exit through a pidfd on the env's loop and reaps it. */
export interface ProcessWatcher {
  /** Sends a signal through the pidfd (never hits a recycled pid); ESRCH after the exit. */
  kill(signal?: number): void;
  /** Stops watching without reaping. */
  close(): void;
  /**
   * Waits (sleeping in poll on the pidfd, never spinning) at most `timeoutMs` for the child to
   * die, reaps it and returns `[exitCode, signal]` — onExit is then never called, the caller
   * reports the exit. `undefined` when it is still alive at the deadline (or already reaped).
   */
  reap(timeoutMs: number): [number, number] | undefined;
  /** Keeps the event loop alive until the exit (default). */
  ref(): void;
  /** Does not keep the event loop alive. */
  unref(): void;
  readonly pid: number;
  readonly exited: boolean;
}

/**
 * A pty master's output read by a thread of its own (poll, read until EAGAIN) and delivered on
 * the env's loop, so the kernel's pty path keeps moving while the JS thread is busy. At most
 * `maxBuffered` bytes (default 4 MiB) wait for the loop; then, and while paused, the thread
 * sleeps. The fd stays the caller's: close() the reader before closing it.
 */
export interface PtyReader {
  /** Stops reading and delivering (what was read is kept until resume). */
  pause(): void;
  /** Resumes; what waited is delivered on the next loop turn, then the end if it came. */
  resume(): void;
  /** Stops and joins the thread; returns the bytes read and not delivered, if any. No callback follows. */
  close(): Buffer | undefined;
  readonly closed: boolean;
}

/** Constructor of {@link PtyReader}: `onData` gets one Buffer per turn, `onEnd` once at EIO/EOF. */
export interface PtyReaderCtor {
  new (fd: number, options: { onData: (chunks: Buffer[]) => void; onEnd: () => void; maxBuffered?: number }): PtyReader;
}

/** Constructor of {@link ProcessWatcher}. */
export interface ProcessWatcherCtor {
  /**
   * `onExit(exitCode, signal)`: exit status, or 0 and the signal number when killed by a signal;
   * -1 when someone else reaped the child. Called once, after waitpid() reaped the child; the
   * watcher then holds neither the pidfd nor the callback.
   */
  new (pid: number, onExit: (exitCode: number, signal: number) => void): ProcessWatcher;
}

/** Native pty calls (implemented in src/pty.cc, src/spawn*.cc). Errors carry `code`, `errno`, `syscall`. */
export interface PtyBinding {
  /** posix_openpt + grantpt + unlockpt + ptsname_r; master O_CLOEXEC|O_NONBLOCK. ENOSPC when the host is out of ptys. */
  ptyOpen(): PtyPair;
  /** Opens a slave O_RDWR|O_NOCTTY|O_CLOEXEC (plus O_NONBLOCK/O_APPEND from `flags`); ENOTTY if not a tty. */
  ptyOpenSlave(path: string, flags?: number): number;
  /** TIOCSWINSZ (master or slave fd); the foreground process group gets SIGWINCH. */
  ptySetWinsize(fd: number, cols: number, rows: number): void;
  /** TIOCGWINSZ. */
  ptyGetWinsize(fd: number): { cols: number; rows: number };
  /** TIOCGPTN on a master: the host pty number. */
  ptyGetPtn(fd: number): number;
  /**
   * Starts `file` in a new session with the slave as stdin/stdout/stderr and controlling
   * terminal, via clone(CLONE_VM|CLONE_VFORK) (no fork of Node). Signal mask and dispositions are
   * reset; no fd other than 0-2 is inherited. Returns the pid once exec succeeded; a failure before
   * exec throws (code ENOENT for a missing program, syscall 'spawn execve') and the child is reaped.
   */
  ptySpawn(options: PtySpawnOptions): number;
  ProcessWatcher: ProcessWatcherCtor;
  PtyReader: PtyReaderCtor;
  /** kill(2). */
  killProcess(pid: number, signal?: number): void;
}
