/** The `devfs` program: global options, every verb, and the one-line error convention. */
import { Command, CommanderError } from 'commander';
import { toDevfsError } from '@devfs/core/base';
import { adminCommands } from './commands/admin';
import { daemonCommand } from './commands/daemon';
import { deviceCommands } from './commands/devices';
import { fsCommands } from './commands/fs';
import { ptyCommands } from './commands/pty';
import { udevCommands } from './commands/udev';
import { reloadCommand } from './commands/reload';
import { DEFAULT_SOCKET } from './paths';
import { dropStrayDashes, globalJson } from './argv';
import { packageVersion } from './version';

/** Builds the commander program; `onStatus` receives an exit status a verb asks for (pty spawn). */
export function buildProgram(onStatus: (status: number) => void): Command {
  const program = new Command('devfs')
    .description('devfs for Node.js: the device daemon and its client')
    .version(packageVersion(), '-V, --version', 'print the version and exit')
    .option('--socket <path>', `daemon socket (default: $DEVFS_SOCKET or ${DEFAULT_SOCKET})`)
    .option('--json', 'machine-readable output')
    .option('-m, --mount <name>', 'act on this mount (root only; default: the one the daemon maps you to)')
    .enablePositionalOptions()
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(errorLine({ code: 'EINVAL', message: str.replace(/^error: /, '').trim() }, wantsJson())) });
  daemonCommand(program);
  fsCommands(program);
  adminCommands(program);
  deviceCommands(program);
  ptyCommands(program, onStatus);
  udevCommands(program);
  reloadCommand(program);
  for (const c of allCommands(program)) c.exitOverride().configureOutput(program.configureOutput());
  return program;
}

function allCommands(c: Command): Command[] {
  return c.commands.flatMap((x) => [x, ...allCommands(x)]);
}

/** True when --json was given before the verb (errors are then JSON too). */
let jsonErrors = false;
function wantsJson(): boolean {
  return jsonErrors;
}

/** One error for stderr: `devfs: CODE: message`, or with --json one JSON object `{ error: {...} }`. */
export function errorLine(e: { code: string; message: string; syscall?: string; path?: string }, json: boolean): string {
  const msg = e.message.startsWith(`${e.code}: `) ? e.message.slice(e.code.length + 2) : e.message;
  if (json) return `${JSON.stringify({ error: { code: e.code, message: msg.split('\n')[0], syscall: e.syscall, path: e.path } })}\n`;
  return `devfs: ${e.code}: ${msg.split('\n')[0]}\n`;
}

/** Runs the CLI with `argv` (process.argv form); resolves with the exit status. */
export async function main(argv: string[]): Promise<number> {
  let status: number | undefined;
  const program = buildProgram((s) => { status = s; });
  const args = dropStrayDashes(argv);
  jsonErrors = globalJson(args);
  try {
    await program.parseAsync(args);
    return status ?? (typeof process.exitCode === 'number' ? process.exitCode : 0);
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0 ? 0 : (err.exitCode || 2);
    }
    const e = toDevfsError(err);
    process.stderr.write(errorLine(e, jsonErrors || program.opts<{ json?: boolean }>().json === true));
    return 1;
  }
}
