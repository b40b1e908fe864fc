/** The `devfs` program: global options, every verb, and the one-line error convention. */
import { Command, CommanderError } from 'commander';
import { toDevfsError } from '@devfs/core';
import { adminCommands } from './commands/admin';
import { daemonCommand } from './commands/daemon';
import { deviceCommands } from './commands/devices';
import { fsCommands } from './commands/fs';
import { ptyCommands } from './commands/pty';
import { DEFAULT_SOCKET } from './paths';

/** Builds the commander program; `onStatus` receives an exit status a verb asks for (pty spawn). */
export function buildProgram(onStatus: (status: number) => void): Command {
  const program = new Command('devfs')
    .description('devfs for Node.js: the device daemon and its client')
    .option('--socket <path>', `daemon socket (default: $DEVFS_SOCKET or ${DEFAULT_SOCKET})`)
    .option('--json', 'machine-readable output')
    .option('-m, --mount <name>', 'act on this mount (root only; default: the one the daemon maps you to)')
    .enablePositionalOptions()
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(`devfs: EINVAL: ${str.replace(/^error: /, '').trim()}\n`) });
  daemonCommand(program);
  fsCommands(program);
  adminCommands(program);
  deviceCommands(program);
  ptyCommands(program, onStatus);
  for (const c of allCommands(program)) c.exitOverride().configureOutput(program.configureOutput());
  return program;
}

function allCommands(c: Command): Command[] {
  return c.commands.flatMap((x) => [x, ...allCommands(x)]);
}

/** Runs the CLI with `argv` (process.argv form); resolves with the exit status. */
export async function main(argv: string[]): Promise<number> {
  let status: number | undefined;
  const program = buildProgram((s) => { status = s; });
  try {
    await program.parseAsync(argv);
    return status ?? (typeof process.exitCode === 'number' ? process.exitCode : 0);
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0 ? 0 : (err.exitCode || 2);
    }
    const e = toDevfsError(err);
    const msg = e.message.startsWith(`${e.code}: `) ? e.message : `${e.code}: ${e.message}`;
    process.stderr.write(`devfs: ${msg.split('\n')[0]}\n`);
    return 1;
  }
}
