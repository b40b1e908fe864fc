import * as os from 'os';
import { devfsError } from '@devfs/core';
import type { Cred } from '@devfs/core';

/** Options of `spawn` (node-pty's IPtyForkOptions, plus the devfs host to clone the pty through). */
export interface PtySpawnOptions {
  /** TERM of the child (default 'xterm-256color'). */
  name?: string;
  /** Columns (default 80). */
  cols?: number;
  /** Rows (default 24). */
  rows?: number;
  /** Working directory of the child (default: ours). */
  cwd?: string;
  /** Environment (default: process.env); TERM is set from `name`. */
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
  /** Run the child as this user (needs privilege). */
  uid?: number;
  /** Run the child as this group (needs privilege). */
  gid?: number;
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

/** 'K=V' strings of the child's environment with TERM set. */
export function envArray(env: PtySpawnOptions['env'], term: string): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(env ?? process.env)) {
    if (v === undefined || k === 'TERM') continue;
    if (k.includes('=') || k.includes('\0') || String(v).includes('\0')) {
      throw devfsError('EINVAL', 'spawn', k, 'environment names must not contain = or NUL, values no NUL');
    }
    out.push(`${k}=${v}`);
  }
  out.push(`TERM=${term}`);
  return out;
}

/** Signal number from a name ('SIGTERM', 'TERM') or number; EINVAL when unknown. */
export function signalNumber(signal: string | number | undefined, fallback: string): number {
  const s = signal ?? fallback;
  if (typeof s === 'number') {
    if (Number.isInteger(s) && s >= 0 && s < 65) return s;
  } else {
    const name = (s.startsWith('SIG') ? s : `SIG${s}`) as keyof typeof os.constants.signals;
    const n = os.constants.signals[name];
    if (n !== undefined) return n;
  }
  throw devfsError('EINVAL', 'kill', String(s), `unknown signal '${String(s)}'`);
}
