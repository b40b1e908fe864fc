/**
 * The client side of `pty spawn`: a data connection carrying raw terminal bytes (see the daemon's
 * pty-sessions.ts), the local terminal in raw mode, SIGWINCH (stdout 'resize') forwarded as
 * pty.resize, and the program's exit status returned (128 + signal when it was killed). stdin is
 * piped with backpressure, and its end (`devfs pty spawn -- cat </dev/null`) half-closes the data
 * connection, which the daemon turns into the terminal's EOF; the output keeps coming until the
 * program exits. A stdout whose reader went away hangs up the program, as a closed terminal would.
 */
import { randomBytes } from 'crypto';
import { connectSocket, DevfsClient } from './client';
import { M, N, PtyExitParams, PtySpawnResult } from '../protocol/methods';
import { PTY_DATA_MAGIC } from '../protocol/limits';

/** `pty spawn` options: fixed size (else this terminal's), working directory, extra environment, TERM. */
export interface PtyOptions { cols?: number; rows?: number; cwd?: string; env?: Record<string, string>; name?: string }

/** Runs `file args` on a daemon pty attached to this terminal; resolves with the exit status. */
export async function runPty(client: DevfsClient, file: string, args: string[], opts: PtyOptions = {}): Promise<number> {
  const exits = new Map<number, PtyExitParams>();
  let onExit: ((p: PtyExitParams) => void) | undefined;
  client.on<PtyExitParams>(N.ptyExit, (p) => { exits.set(p.session, p); onExit?.(p); });
  const channel = randomBytes(16).toString('hex');
  const data = await connectSocket(client.socketPath);
  data.on('error', () => undefined);
  data.write(`${PTY_DATA_MAGIC}${channel}\n`);
  const dataEnded = new Promise<void>((r) => data.once('close', () => r()));
  data.pipe(process.stdout, { end: false });
  const stdoutGone = () => data.destroy();
  process.stdout.on('error', stdoutGone);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (typeof v === 'string' && !k.includes('=')) env[k] = v;
  Object.assign(env, opts.env);
  if (opts.name !== undefined) env.TERM = opts.name;
  const cols = () => opts.cols ?? (process.stdout.columns || 80);
  const rows = () => opts.rows ?? (process.stdout.rows || 24);
  let res: PtySpawnResult;
  try {
    res = await client.request<PtySpawnResult>(M.ptySpawn, {
      channel, file, args, cols: cols(), rows: rows(), env, cwd: opts.cwd ?? process.cwd(),
    });
  } catch (err) {
    data.destroy();
    throw err;
  }
  const stdin = process.stdin;
  const raw = stdin.isTTY === true;
  if (raw) stdin.setRawMode(true);
  stdin.on('error', () => undefined);
  stdin.pipe(data); // ends (half-closes) data when stdin ends: EOF for the program
  const resize = () => {
    void client.request(M.ptyResize, { session: res.session, cols: cols(), rows: rows() }).catch(() => undefined);
  };
  const follow = process.stdout.isTTY && opts.cols === undefined && opts.rows === undefined; // a fixed size stays fixed
  if (follow) process.stdout.on('resize', resize);
  const exited = exits.get(res.session) ?? await new Promise<PtyExitParams>((resolve, reject) => {
    onExit = (p) => { if (p.session === res.session) resolve(p); };
    client.closed().then(() => reject(new Error('the daemon closed the connection before the program exited')), () => undefined);
  });
  await dataEnded;
  if (raw) stdin.setRawMode(false);
  stdin.unpipe(data);
  stdin.pause();
  process.stdout.off('error', stdoutGone);
  if (follow) process.stdout.off('resize', resize);
  return exited.signal ? 128 + exited.signal : exited.exitCode;
}
