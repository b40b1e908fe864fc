import * as os from 'os';
import { devfsError } from '@devfs/core';
import type { Cred } from '@devfs/core';

/**
 * node-pty's IBasePtyForkOptions: what every platform takes. Checked as node-pty does — a value
 * of the wrong type (`name: {}`, `cwd: 5`, `env: 'x'`) throws.
 */
export interface IBasePtyForkOptions {
  /** TERM of the child: this, else `env.TERM`, else 'xterm' (node-pty's rule). */
  name?: string;
  /** Columns (default 80). */
  cols?: number;
  /** Rows (default 24). */
  rows?: number;
  /** Working directory of the child (default: ours); the child's PWD is set to it. */
  cwd?: string;
  /**
   * Environment (default: process.env, without TMUX, TMUX_PANE, STY, WINDOW, WINDOWID, TERMCAP,
   * COLUMNS, LINES — as node-pty). Without PATH the program is searched in /bin:/usr/bin, never
   * in our PATH.
   */
  env?: NodeJS.ProcessEnv | { [key: string]: string | undefined };
  /** 'utf8' (default): onData gets strings, split characters are never mangled. null: Buffers. */
  encoding?: BufferEncoding | null;
  /**
   * node-pty's flow control: while `handleFlowControl` is set, a write of exactly
   * `flowControlPause` (default XOFF, '\x13') pauses the output and one of exactly
   * `flowControlResume` (default XON, '\x11') resumes it; neither reaches the child.
   */
  handleFlowControl?: boolean;
  flowControlPause?: string;
  flowControlResume?: string;
}

/** node-pty's IWindowsPtyForkOptions: accepted so shared code compiles; the Windows keys are ignored. */
export interface IWindowsPtyForkOptions extends IBasePtyForkOptions {
  useConpty?: boolean;
  useConptyDll?: boolean;
  conptyInheritCursor?: boolean;
}

/** Options of `spawn`: node-pty's IPtyForkOptions, plus the devfs host to clone the pty through. */
export interface PtySpawnOptions extends IBasePtyForkOptions {
  /** Run the child as this user (needs privilege). */
  uid?: number;
  /** Run the child as this group (needs privilege). */
  gid?: number;
  /**
   * A program that cannot be started (exec or chdir failed): by default, as node-pty, `spawn`
   * returns, the reason is printed on the terminal ("execvp(3) failed.: No such file or
   * directory") and onExit reports exit code 1 with the coded error as `error`. With `true`,
   * `spawn` throws that DevfsError instead (ENOENT, EACCES, ENOTDIR…) and nothing is left behind.
   */
  throwOnSpawnError?: boolean;
  /**
   * Inside a devfs host: the pty driver to clone the pty through, so that `pts/N` appears in the
   * host's mounts for the life of the pty (owned by `cred`, default uid/gid of the child).
   */
  driver?: { allocatePty(cred: Cred, onRevoke?: () => void): HostedPty };
  /** Opener credentials for the hosted `pts/N` (default: uid/gid options, else ours). */
  cred?: Cred;
  /**
   * After the child exited, how long to wait for the terminal's other users (e.g. a daemon the
   * child left running with the slave open) before closing the pty anyway. Default 2000 ms.
   */
  exitDrainMs?: number;
}

/** node-pty's name for the Unix spawn options (the same object as {@link PtySpawnOptions}). */
export type IPtyForkOptions = PtySpawnOptions;

/** What a driver hands `spawn` for a hosted pty. */
export interface HostedPty {
  /** Master fd (the pty keeps owning it; call `release` instead of closing). */
  readonly fd: number;
  /** Host path of the slave the child opens. */
  readonly hostPath: string;
  /** devfs name, e.g. 'pts/0'. */
  readonly name: string;
  /** Drops spawn's hold: the pty and its node go away once no handle holds them. */
  release(): void;
}

/** Validated window size; EINVAL for anything but integers 1..65535. */
export function checkSize(cols: unknown, rows: unknown, syscall: string): { cols: number; rows: number } {
  const ok = (v: unknown) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 0xffff;
  if (!ok(cols) || !ok(rows)) {
    throw devfsError('EINVAL', syscall, undefined, `cols and rows must be integers 1..65535 (got ${String(cols)}x${String(rows)})`);
  }
  return { cols: cols as number, rows: rows as number };
}

/** Signal number from a name ('SIGTERM', 'TERM') or number; undefined when unknown. */
export function signalNumber(signal: string | number | undefined, fallback: string): number | undefined {
  const s = signal ?? fallback;
  if (typeof s === 'number') return Number.isInteger(s) && s >= 0 && s < 65 ? s : undefined;
  if (typeof s !== 'string') return undefined;
  const name = (s.startsWith('SIG') ? s : `SIG${s}`) as keyof typeof os.constants.signals;
  return os.constants.signals[name];
}
