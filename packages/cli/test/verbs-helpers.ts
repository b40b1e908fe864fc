/** Helpers of the verbs-* suites: a client run that is fed standard input. */
import { spawn } from 'child_process';
import { BIN, Run } from './helpers';

/** Runs `devfs --socket SOCKET ...args` with `input` on its stdin (optionally as another uid/gid). */
export function cliIn(socket: string, args: string[], input: Buffer, opts: { uid?: number; gid?: number; timeoutMs?: number } = {}): Promise<Run & { out: Buffer }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, '--socket', socket, ...args], {
      cwd: '/', uid: opts.uid, gid: opts.gid, stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b) => { stderr += b; });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
    const t = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 20000);
    child.on('close', (code) => {
      clearTimeout(t);
      const b = Buffer.concat(out);
      resolve({ code, stdout: b.toString('latin1'), stderr, out: b });
    });
  });
}

/** Runs the CLI and returns its raw stdout bytes. */
export async function cliBytes(socket: string, args: string[], opts: { uid?: number; gid?: number } = {}): Promise<Run & { out: Buffer }> {
  return cliIn(socket, args, Buffer.alloc(0), opts);
}
