/**
 * devfs daemon [--config FILE] [--socket PATH] [--log FILE] [--fuse DIR [--fuse-mount NAME]] [--driver SPEC]... [--driver-isolated SPEC]... — runs in the
 * foreground. SIGHUP re-reads the --config file (rules, event actions, access; see
 * daemon/reload.ts); without --config it means the terminal went away. SIGINT, SIGTERM (and that
 * SIGHUP) shut it down cleanly: clients
 * disconnected, their programs hung up, disks destroyed, tap interfaces removed, socket removed;
 * exit status 0. A second signal during the shutdown exits at once (status 1). A bug that escapes
 * as an uncaught exception is logged and still shuts down cleanly (status 70) — it is never
 * swallowed. Losing stdout/stderr (EPIPE) is not fatal; `--log FILE` keeps the log in a file.
 */
import type { Command } from 'commander';
import type { DaemonConfig } from '../daemon/config';
import type { Daemon } from '../daemon/daemon';
import type { DaemonLog } from '../daemon/log';
import { DEFAULT_SOCKET } from '../paths';
import { globals } from './context';

/** Status of a shutdown forced by an internal error (EX_SOFTWARE). */
const EXIT_INTERNAL = 70;
/** Longest a shutdown after an internal error may take before the process exits anyway, in ms. */
const FATAL_CLOSE_MS = 10_000;

/** Adds `daemon` to `program`. */
export function daemonCommand(program: Command): void {
  program.command('daemon').description('run the device daemon in the foreground (SIGINT/SIGTERM stop it cleanly; SIGHUP re-reads --config, or stops a daemon without one)')
    .option('-c, --config <file>', 'JSON config (drivers, options, rules, events, mounts, access, log, limits)')
    .option('--socket <path>', `control socket (default: $DEVFS_SOCKET, the config's, or ${DEFAULT_SOCKET})`)
    .option('--log <file>', "append the log to FILE instead of stdout (default: the config's 'log')")
    .option('--fuse <dir>', "export the mounts through FUSE at DIR (each caller sees its own mount; default: the config's 'fuse')")
    .option('--fuse-mount <name>', 'with --fuse: export only mount NAME to everyone, with kernel caching')
    .option('-d, --driver <spec>', 'load one more driver plugin (package name or path); repeatable', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--driver-isolated <spec>', 'load a driver plugin in a worker thread of its own (restarted when it crashes or hangs); repeatable',
      (v: string, acc: string[]) => [...acc, v], [] as string[])
    .action(async (o: { config?: string; socket?: string; log?: string; driver: string[]; driverIsolated: string[]; fuse?: string; fuseMount?: string }, cmd: Command) => {
      // The daemon (drivers, native addon) loads only for this verb: a client never pays for it.
      // First of all, before other threads take malloc arenas of their own (see tuneMalloc).
      (await import('../daemon/idle-gc')).tuneMalloc();
      const [{ loadConfig }, { startDaemon }, { isolatedEntry }, { fileLog, stdoutLog, toStderr }] = await Promise.all([
        import('../daemon/config'), import('../daemon/daemon'), import('../daemon/driver-specs'), import('../daemon/log')]);
      const config: DaemonConfig = o.config ? loadConfig(o.config) : {};
      const socket = o.socket || globals(cmd).socket || process.env.DEVFS_SOCKET || config.socket || DEFAULT_SOCKET;
      const logFile = o.log || config.log;
      const log = logFile ? fileLog(logFile) : stdoutLog();
      try {
        const drivers = [...o.driver, ...o.driverIsolated.map(isolatedEntry)];
        const d = await startDaemon({ config, configFile: o.config, socket, drivers, log, fuse: o.fuse, fuseMount: o.fuseMount });
        process.exitCode = await untilStopped(d, log, o.config !== undefined, toStderr);
      } finally {
        log.close();
      }
    });
}

/**
 * Waits for a stop signal (or an internal error), shuts `d` down and resolves with the exit status.
 * With a config file (`reloads`), SIGHUP re-reads it instead (as devd, sshd do; a bad file is
 * logged and the running config stays); without one there is nothing to re-read and SIGHUP keeps
 * its meaning "the terminal went away": a clean shutdown.
 */
function untilStopped(d: Daemon, log: DaemonLog, reloads: boolean, toStderr: (text: string) => void): Promise<number> {
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (why: string, status: number) => {
      if (stopping) {
        toStderr(`devfs: ${why} again: exiting without cleanup\n`);
        process.exit(1);
      }
      stopping = true;
      log(`${why}: shutting down`);
      d.close().then(() => { log('stopped'); resolve(status); }, (err: Error) => {
        log(`shutdown: ${err.message}`);
        toStderr(`devfs: shutdown: ${err.message}\n`);
        resolve(1);
      });
    };
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => stop(sig, 0));
    process.on('SIGHUP', () => {
      if (!reloads) stop('SIGHUP', 0);
      else if (!stopping) d.reload().catch(() => undefined); // the daemon logs the outcome
    });
    // Node prints a process warning raw to stderr, and one can carry a client's text (a name that
    // missed, a path): warnings go to the daemon's log instead, escaped like every line there
    process.removeAllListeners('warning');
    process.on('warning', (w) => log(`warning: ${w.name}: ${w.message}`));
    process.on('uncaughtException', (err) => {
      // a bug, not a client: log it and leave (cleaning up what we can) — never carry on as if nothing happened
      log(`internal error: ${err.stack ?? err.message}`);
      toStderr(`devfs: internal error: ${err.message}\n`);
      setTimeout(() => process.exit(EXIT_INTERNAL), FATAL_CLOSE_MS).unref();
      if (stopping) process.exit(EXIT_INTERNAL);
      stop('internal error', EXIT_INTERNAL);
    });
  });
}
