/**
 * Helpers of the FUSE export tests: shell commands run as child processes (the test process
 * itself never touches the export synchronously), and the export's presence in mountinfo.
 */
import { spawn, execFileSync } from 'child_process';
import * as fs from 'fs';

/** Result of one shell command. */
export interface Sh { code: number | null; out: string; err: string }

/** Runs `sh -c cmd` (as `as` when given), collecting stdout and stderr; killed after `ms`. */
export function sh(cmd: string, as?: { uid: number; gid: number }, ms = 20000): Promise<Sh> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', cmd], { cwd: '/', uid: as?.uid, gid: as?.gid, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (b) => { out += b; });
    child.stderr.on('data', (b) => { err += b; });
    const t = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('close', (code) => { clearTimeout(t); resolve({ code, out, err }); });
  });
}

/** True when some process has `file` open (one of its /proc/PID/fd links names it). */
export function isOpen(file: string): boolean {
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (fs.readdirSync(`/proc/${pid}/fd`).some((fd) => { try { return fs.readlinkSync(`/proc/${pid}/fd/${fd}`) === file; } catch { return false; } })) return true;
    } catch { /* gone, or not ours to read */ }
  }
  return false;
}

/** The filesystem type mounted at `dir` now ('' when nothing is). */
export function mountedType(dir: string): string {
  for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const f = line.split(' ');
    const sep = f.indexOf('-');
    if (sep > 0 && f[4] === dir) return f[sep + 1];
  }
  return '';
}

/** Lazily unmounts whatever is left at `dir` (afterAll: a failing test leaves no mount behind). */
export function forceUnmount(dir: string): void {
  while (mountedType(dir) !== '') {
    try { execFileSync('umount', ['-l', dir], { stdio: 'ignore' }); } catch { return; }
  }
}
