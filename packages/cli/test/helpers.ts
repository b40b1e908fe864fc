/** Real daemon and client processes for the CLI tests (the built dist/bin.js). */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * The CLI under test (DEVFS_TEST_BIN points the suites at another build, e.g. an older one to show a
 * test fails there). Jest's globalSetup rebuilds dist/ first (test-support/build-first.js); when
 * that build failed, every suite that would run this stale dist/ fails here with the compiler's output.
 */
export const BIN = process.env.DEVFS_TEST_BIN ?? freshDistBin();

function freshDistBin(): string {
  if (process.env.DEVFS_BUILD_ERROR) throw new Error(`not running a stale packages/cli/dist: ${process.env.DEVFS_BUILD_ERROR}`);
  return path.join(__dirname, '..', 'dist', 'bin.js');
}
export const REPO = path.join(__dirname, '..', '..', '..');

/** A temp directory readable by every uid (the unprivileged client must reach the socket). */
export function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'devfs-cli-'));
  fs.chmodSync(d, 0o755);
  return d;
}

/**
 * Lets an unprivileged client (another uid) reach the repository it runs from: a clone inside a
 * `mktemp -d` directory (mode 0700) cannot be traversed by other uids. Adds search permission
 * (o+x, never read or write) to each ancestor that lacks it and returns a function that puts the
 * modes back. Needs root; changes nothing where every ancestor is already searchable.
 */
export function letOthersReachRepo(): () => void {
  const changed: Array<[string, number]> = [];
  for (let dir = path.resolve(REPO); ; dir = path.dirname(dir)) {
    const mode = fs.statSync(dir).mode & 0o7777;
    if ((mode & 0o001) === 0) {
      fs.chmodSync(dir, mode | 0o001);
      changed.push([dir, mode]);
    }
    if (path.dirname(dir) === dir) break;
  }
  return () => { for (const [dir, mode] of changed.reverse()) fs.chmodSync(dir, mode); };
}

/** A running daemon child with its collected output. */
export interface DaemonProc { child: ChildProcess; out: () => string; socket: string; exited: Promise<number | null> }

/**
 * Starts `devfs daemon --socket SOCKET ...args` and waits for "listening on". `prefix` runs it
 * under another command, e.g. `['ip', 'netns', 'exec', NS]` (which execs, keeping the pid).
 */
export function startDaemon(socket: string, args: string[] = [], env: NodeJS.ProcessEnv = {}, prefix: string[] = []): Promise<DaemonProc> {
  const argv = [process.execPath, BIN, 'daemon', '--socket', socket, ...args];
  const full = [...prefix, ...argv];
  const child = spawn(full[0], full.slice(1), { cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (b) => { out += b; });
  child.stderr!.on('data', (b) => { out += b; });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const d: DaemonProc = { child, out: () => out, socket, exited };
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`daemon did not start:\n${out}`)), 15000);
    const check = () => {
      if (out.includes(`listening on ${socket}`)) { clearTimeout(t); child.stdout!.off('data', check); resolve(d); }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => { clearTimeout(t); reject(new Error(`daemon exited ${code}:\n${out}`)); });
  });
}

/** Stops a daemon with SIGTERM and resolves with its exit code. */
export async function stopDaemon(d: DaemonProc): Promise<number | null> {
  if (d.child.exitCode !== null || d.child.signalCode !== null) return d.child.exitCode;
  d.child.kill('SIGTERM');
  return d.exited;
}

/** Result of one client run. */
export interface Run { code: number | null; stdout: string; stderr: string }

/** Runs `devfs --socket SOCKET ...args` as a separate process (optionally as another uid/gid). */
export function cli(socket: string, args: string[], opts: { uid?: number; gid?: number; timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, '--socket', socket, ...args], {
      cwd: '/', uid: opts.uid, gid: opts.gid, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => { stdout += b; });
    child.stderr.on('data', (b) => { stderr += b; });
    const t = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 15000);
    child.on('close', (code) => { clearTimeout(t); resolve({ code, stdout, stderr }); });
  });
}

/** Waits until `pred()` holds (polling), or throws naming `what` (the shared helper). */
export { until } from '../../../test-support/wait';

/** True when the tests run as root; otherwise every daemon they start runs as the caller. */
export const AS_ROOT = process.getuid?.() === 0;

/**
 * The daemon config that gives a caller who is not root what root gets from a root daemon: its
 * uid mapped to the 'root' mount (the default would be the jail), `zero` and the md disks its own
 * (ruleset 20, devfsrules_caller, on that mount; written to `dir`), so chmod works on a node and a
 * disk can be written as root writes it.
 */
export function callerConfig(dir: string): { access: object; rules: string[]; mounts: object[] } {
  const uid = process.getuid!();
  fs.writeFileSync(path.join(dir, 'caller.rules'), `[devfsrules_caller=20]\nadd path zero user ${uid}\nadd path 'md*' user ${uid}\n`);
  return {
    access: { users: { [uid]: 'root' } },
    rules: ['caller.rules'],
    mounts: [{ name: 'root', ruleset: 20 }, { name: 'jail', ruleset: 'devfsrules_jail', jail: true }],
  };
}

/**
 * Daemon arguments for a suite run by whoever runs the tests: `config` (none when empty) written to
 * `dir` as `name`; not as root, merged with callerConfig (its rules file first).
 */
export function callerArgs(dir: string, config: { rules?: string[]; [key: string]: unknown } = {}, name = 'devfs.json'): string[] {
  if (AS_ROOT) return Object.keys(config).length ? ['--config', writeConfig(dir, config, name)] : [];
  const caller = callerConfig(dir);
  return ['--config', writeConfig(dir, { ...caller, ...config, rules: [...caller.rules, ...(config.rules ?? [])] }, name)];
}

/**
 * Starts a daemon (with `args`) in a fresh temp dir before the suite and stops it after. Returns
 * live accessors: `sock()` is the socket path, `daemon()` the running daemon. Run by a user who is
 * not root (and given no --config), the daemon gets callerArgs, so the suite sees what root would.
 */
export function daemonForSuite(args: string[] = []): { sock: () => string; daemon: () => DaemonProc } {
  let dir = '';
  let sock = '';
  let d: DaemonProc | undefined;
  beforeAll(async () => {
    dir = tempDir();
    sock = path.join(dir, 'devfs.sock');
    d = await startDaemon(sock, args.includes('--config') ? args : [...args, ...callerArgs(dir)]);
  }, 30000);
  afterAll(async () => {
    if (d) await stopDaemon(d);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { sock: () => sock, daemon: () => d! };
}

/** The unprivileged client identity of the boundary tests. */
export const NOBODY = { uid: 65534, gid: 65534 };

/** A child process (as uid 65534 by default) running `node -e script`, its output collected. */
export interface Attacker { child: ChildProcess; out: () => string; exited: Promise<number | null>; kill(): Promise<void> }

/**
 * Runs `script` with `node -e` as uid/gid 65534 (or `as`) with `env`, collecting stdout+stderr.
 * The script reaches the daemon through plain `net` sockets: a client that speaks (or breaks) the
 * protocol by hand.
 */
export function attacker(script: string, env: Record<string, string> = {}, as: { uid: number; gid: number } = NOBODY): Attacker {
  const child = spawn(process.execPath, ['-e', script], {
    cwd: '/', uid: as.uid, gid: as.gid, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
  });
  let out = '';
  child.stdout!.on('data', (b) => { out += b; });
  child.stderr!.on('data', (b) => { out += b; });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return {
    child, out: () => out, exited,
    kill: async () => { if (child.exitCode === null && child.signalCode === null) { child.kill('SIGKILL'); await exited; } },
  };
}

/** Open file descriptors of process `pid` (/proc/PID/fd). */
export function fdsOf(pid: number): number {
  return fs.readdirSync(`/proc/${pid}/fd`).length;
}

/** Resident set size of process `pid` in bytes (/proc/PID/status VmRSS). */
export function rssOf(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** Pids of the children of process `pid` (/proc/PID/task/TID/children; none once it is gone). */
export function childrenOf(pid: number): number[] {
  try {
    return fs.readdirSync(`/proc/${pid}/task`).flatMap((t) => fs.readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').split(' ').filter(Boolean).map(Number));
  } catch {
    return [];
  }
}

/** True while process `pid` exists (and is not a zombie). */
export function alive(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

/** Writes `config` as JSON into `dir` and returns the file name. */
export function writeConfig(dir: string, config: object, name = 'devfs.json'): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, JSON.stringify(config));
  return f;
}

/** Tap interfaces inside network namespace `ns` (`ip -o link` lines → names). */
export function tapsIn(ns: string): string[] {
  const out = execFileSync('ip', ['netns', 'exec', ns, 'ip', '-o', 'link', 'show'], { encoding: 'utf8' });
  return out.split('\n').map((l) => /^\d+: ([^:@]+)/.exec(l)?.[1]).filter((n): n is string => !!n && n.startsWith('tap'));
}

/** A suite's daemon inside a network namespace of its own (see netnsDaemonForSuite). */
export interface NetnsSuite { ns: string; sock(): string; daemon(): DaemonProc; stop(): Promise<number | null> }

/**
 * Creates the namespace `devfs-test-<label>-<random>` and starts a daemon inside it before the
 * suite (the socket is a filesystem path, so clients outside the namespace reach it); after the
 * suite stops the daemon (unless `stop()` did), deletes the namespace and the temp dir.
 */
export function netnsDaemonForSuite(label: string, args: string[] = []): NetnsSuite {
  const ns = `devfs-test-${label}-${crypto.randomBytes(4).toString('hex')}`;
  let dir = '';
  let sock = '';
  let d: DaemonProc | undefined;
  beforeAll(async () => {
    execFileSync('ip', ['netns', 'add', ns]);
    dir = tempDir();
    sock = path.join(dir, 'devfs.sock');
    d = await startDaemon(sock, args, {}, ['ip', 'netns', 'exec', ns]);
  }, 30000);
  afterAll(async () => {
    if (d) await stopDaemon(d);
    try { execFileSync('ip', ['netns', 'del', ns]); } catch { /* already gone */ }
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const stop = async () => {
    const code = d ? await stopDaemon(d) : null;
    d = undefined;
    return code;
  };
  return { ns, sock: () => sock, daemon: () => d!, stop };
}
