import * as fs from 'fs';
import * as os from 'os';

const S = os.constants.signals;
/** Signals whose default action is not to terminate (ignore, stop, continue). */
const HARMLESS = new Set<number>([S.SIGCHLD, S.SIGCONT, S.SIGSTOP, S.SIGTSTP, S.SIGTTIN, S.SIGTTOU, S.SIGURG, S.SIGWINCH]);

/**
 * Whether `signal`, just sent to our unreaped child `pid`, kills it by its default action: the
 * signal terminates by default and the child neither catches, ignores nor blocks it
 * (/proc/PID/status SigCgt/SigIgn/SigBlk; the pid cannot be reused while it is our zombie).
 * SIGKILL always does. False when in doubt.
 */
export function signalKills(pid: number, signal: number): boolean {
  if (signal === S.SIGKILL) return true;
  if (signal <= 0 || signal > 64 || HARMLESS.has(signal)) return false;
  let status: string;
  try {
    status = fs.readFileSync(`/proc/${pid}/status`, 'latin1');
  } catch {
    return false;
  }
  const bit = 1n << BigInt(signal - 1);
  for (const field of ['SigBlk', 'SigIgn', 'SigCgt']) {
    const m = new RegExp(`^${field}:\\s*([0-9a-f]+)$`, 'm').exec(status);
    if (!m || (BigInt(`0x${m[1]}`) & bit) !== 0n) return false;
  }
  return true;
}
