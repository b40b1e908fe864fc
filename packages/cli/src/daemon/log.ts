/**
 * The daemon's log: one line per call, escaped (src/escape.ts) so nothing a client sends can forge
 * a line or reach the reader's terminal raw. It goes to stdout, or with `--log FILE` (config key
 * `log`) appended to a file (created 0640) with an ISO timestamp per line. Losing the log is never
 * fatal: when stdout's reader goes away (`devfs daemon | head -1`, EPIPE) the lines are dropped
 * and the daemon keeps serving; a failing file write (ENOSPC, EIO) drops that line.
 */
import * as fs from 'fs';
import { toDevfsError } from '@devfs/core';
import { escapeControl } from '../escape';

/** Where the daemon's lines go. */
export interface DaemonLog {
  /** Writes one line (escaped; never throws). */
  (line: string): void;
  /** Closes the file (no-op for stdout). */
  close(): void;
}

/** A stream whose 'error' (EPIPE: the reader went away) only marks it gone. */
function tolerate(stream: NodeJS.WriteStream): { gone: boolean } {
  const state = { gone: false };
  stream.on('error', () => { state.gone = true; });
  return state;
}

let stdioGuarded: { out: { gone: boolean }; err: { gone: boolean } } | undefined;

/**
 * Makes the process's stdout and stderr non-fatal: an EPIPE (or any write error) on either marks
 * it gone instead of raising an uncaught 'error'. Idempotent; returns the two states.
 */
export function guardStdio(): { out: { gone: boolean }; err: { gone: boolean } } {
  stdioGuarded ??= { out: tolerate(process.stdout), err: tolerate(process.stderr) };
  return stdioGuarded;
}

/** Writes `text` to stderr unless stderr is gone (never throws). */
export function toStderr(text: string): void {
  const { err } = guardStdio();
  if (err.gone || process.stderr.destroyed) return;
  try { process.stderr.write(text); } catch { err.gone = true; }
}

/** A log on stdout that survives its reader going away. */
export function stdoutLog(): DaemonLog {
  const { out } = guardStdio();
  const log = ((line: string) => {
    if (out.gone || process.stdout.destroyed) return;
    try { process.stdout.write(`${escapeControl(line)}\n`); } catch { out.gone = true; }
  }) as DaemonLog;
  log.close = () => undefined;
  return log;
}

/** A log appended to `file` (created 0640). Throws a DevfsError when the file cannot be opened. */
export function fileLog(file: string): DaemonLog {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW, 0o640);
  } catch (err) {
    throw toDevfsError(err, 'open', file);
  }
  guardStdio();
  const log = ((line: string) => {
    if (fd === undefined) return;
    try { fs.writeSync(fd, `${new Date().toISOString()} ${escapeControl(line)}\n`); } catch { /* ENOSPC/EIO: this line is lost */ }
  }) as DaemonLog;
  log.close = () => {
    if (fd === undefined) return;
    try { fs.closeSync(fd); } catch { /* already closed */ }
    fd = undefined;
  };
  return log;
}
