import * as util from 'util';
import { native } from '@devfs/native';

/** The child steps whose failure node-pty reports on the terminal (perror text) with exit code 1. */
const REPORTED: { [syscall: string]: string } = {
  'spawn chdir': 'chdir(2) failed.',
  'spawn execve': 'execvp(3) failed.',
};

/** True when `err` (from native.ptySpawn) is a program that could not be started, not a pty fault. */
export function isStartFailure(err: unknown): boolean {
  const syscall = (err as { syscall?: unknown }).syscall;
  return typeof syscall === 'string' && syscall in REPORTED;
}

/** What node-pty's child prints for `err`: perror's "execvp(3) failed.: No such file or directory". */
export function startFailureText(err: { syscall?: string; errno?: number; code?: string }): string {
  let reason = err.code ?? 'unknown error';
  if (typeof err.errno === 'number') {
    const known = util.getSystemErrorMap().get(-Math.abs(err.errno));
    if (known) reason = known[1].charAt(0).toUpperCase() + known[1].slice(1);
  }
  return `${REPORTED[err.syscall ?? ''] ?? 'spawn failed.'}: ${reason}`;
}

/**
 * Starts the stand-in for a program that could not be started: `/bin/sh` (no PATH search, no
 * cwd change, a fixed script; `text` is our own and only passed as an argument) prints `text` on
 * the terminal and exits 1, as node-pty's forked child does after a failed exec. Runs as the
 * same uid/gid. Returns its pid; throws what ptySpawn throws if even that cannot start.
 */
export function spawnStartFailure(ptsPath: string, text: string, uid?: number, gid?: number): number {
  return native.ptySpawn({
    file: '/bin/sh',
    args: ['-c', 'printf "%s\\n" "$1"; exit 1', 'sh', text],
    env: ['PATH=/bin:/usr/bin', 'LC_ALL=C'],
    ptsPath,
    uid,
    gid,
  });
}
