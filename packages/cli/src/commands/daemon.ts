/** devfs daemon [--config FILE] [--socket PATH] [--driver SPEC]... — runs in the foreground. */
import type { Command } from 'commander';
import { loadConfig, DaemonConfig } from '../daemon/config';
import { startDaemon } from '../daemon/daemon';
import { DEFAULT_SOCKET } from '../paths';
import { globals } from './context';

/** Adds `daemon` to `program`. */
export function daemonCommand(program: Command): void {
  program.command('daemon').description('run the device daemon in the foreground (SIGINT/SIGTERM stop it cleanly)')
    .option('-c, --config <file>', 'JSON config (drivers, options, rules, events, mounts, access)')
    .option('--socket <path>', `control socket (default: $DEVFS_SOCKET, the config's, or ${DEFAULT_SOCKET})`)
    .option('-d, --driver <spec>', 'load one more driver plugin (package name or path); repeatable', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .action(async (o: { config?: string; socket?: string; driver: string[] }, cmd: Command) => {
      const config: DaemonConfig = o.config ? loadConfig(o.config) : {};
      const socket = o.socket || globals(cmd).socket || process.env.DEVFS_SOCKET || config.socket || DEFAULT_SOCKET;
      const d = await startDaemon({ config, socket, drivers: o.driver });
      await new Promise<void>((resolve) => {
        let stopping = false;
        const stop = (sig: string) => {
          if (stopping) {
            process.stderr.write(`devfs: ${sig} again: exiting without cleanup\n`);
            process.exit(1);
          }
          stopping = true;
          process.stdout.write(`${sig}: shutting down\n`);
          d.close().then(() => { process.stdout.write('stopped\n'); resolve(); }, (err: Error) => {
            process.stderr.write(`devfs: shutdown: ${err.message}\n`);
            process.exitCode = 1;
            resolve();
          });
        };
        process.on('SIGINT', () => stop('SIGINT'));
        process.on('SIGTERM', () => stop('SIGTERM'));
      });
    });
}
