/** Process and pty checks shared by the native pty tests and the pty driver tests. */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** fds of this process that point at a pty (master or slave). */
export function ptyFds(): string[] {
  const out: string[] = [];
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      const target = fs.readlinkSync(`/proc/self/fd/${fd}`);
      if (target === '/dev/ptmx' || target.startsWith('/dev/pts/')) out.push(`${fd}->${target}`);
    } catch { /* the readdir fd itself */ }
  }
  return out;
}

/** Zombie children of this process (state Z in /proc/N/stat). */
export function zombies(): number[] {
  const out: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (f[0] === 'Z' && Number(f[1]) === process.pid) out.push(Number(d));
    } catch { /* gone */ }
  }
  return out;
}

/** A file of random bytes and what `base64 FILE` must print through a pty (onlcr: \n → \r\n). */
export interface Base64Fixture { file: string; length: number; sha256: string; remove(): void }

/** Writes `size` random bytes to a temp file and computes the exact pty output of base64 on it. */
export function base64Fixture(tag: string, size = 5_000_000): Base64Fixture {
  const file = path.join(os.tmpdir(), `devfs-${tag}-${process.pid}.bin`);
  const data = crypto.randomBytes(size);
  fs.writeFileSync(file, data);
  const b64 = data.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 76) lines.push(b64.slice(i, i + 76));
  const expected = Buffer.from(lines.join('\r\n') + '\r\n');
  return {
    file,
    length: expected.length,
    sha256: crypto.createHash('sha256').update(expected).digest('hex'),
    remove: () => fs.rmSync(file, { force: true }),
  };
}

/** sha256 of a buffer, hex. */
export function sha256(b: Buffer): string {
  return crypto.createHash('sha256').update(b).digest('hex');
}
