/** Shared pieces of the jail-* suites: a root daemon reachable by unprivileged clients, and pty sessions as another uid. */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { BIN, DaemonProc, letOthersReachRepo, startDaemon, stopDaemon, tempDir } from './helpers';

/** A client identity. */
export interface Who { uid: number; gid: number }
/** uid 65534 and uid 1: two unprivileged users the default access map sends to the jail mount. */
export const NOBODY: Who = { uid: 65534, gid: 65534 };
export const DAEMON_USER: Who = { uid: 1, gid: 1 };

/** What a suite's daemon needs beyond the defaults. */
export interface SuiteOptions {
  /** Runs first (before the daemon), in the suite's temp dir: write config files, make interfaces... */
  setup?: (dir: string) => void;
  /** Daemon arguments after `--socket` (given the temp dir). */
  args?: (dir: string) => string[];
  /** Command the daemon runs under, e.g. `['ip', 'netns', 'exec', NS]`. */
  prefix?: string[];
  /** Runs last, after the daemon stopped. */
  teardown?: () => void;
}

/**
 * A root daemon for the suite that unprivileged clients running this checkout can reach (see
 * letOthersReachRepo), in a fresh temp dir removed afterwards. Returns live accessors.
 */
export function rootDaemonSuite(o: SuiteOptions = {}): { sock: () => string; dir: () => string; daemon: () => DaemonProc } {
  let dir = '';
  let sock = '';
  let d: DaemonProc | undefined;
  let restoreModes: (() => void) | undefined;
  beforeAll(async () => {
    restoreModes = letOthersReachRepo();
    dir = tempDir();
    sock = path.join(dir, 'devfs.sock');
    o.setup?.(dir);
    d = await startDaemon(sock, o.args?.(dir) ?? [], {}, o.prefix ?? []);
  }, 30000);
  afterAll(async () => {
    if (d) await stopDaemon(d);
    o.teardown?.();
    fs.rmSync(dir, { recursive: true, force: true });
    restoreModes?.();
  });
  return { sock: () => sock, dir: () => dir, daemon: () => d! };
}

/** `devfs pty spawn -- sleep SECONDS` as `who`, in the background; `done` resolves when its client exited. */
export function ptySession(sock: string, who: Who, seconds: number): { child: ChildProcess; done: Promise<void> } {
  const child = spawn(process.execPath, [BIN, '--socket', sock, 'pty', 'spawn', '--', 'sleep', String(seconds)], {
    cwd: '/', uid: who.uid, gid: who.gid, stdio: ['ignore', 'ignore', 'ignore'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  });
  return { child, done: new Promise((r) => child.once('exit', () => r())) };
}
