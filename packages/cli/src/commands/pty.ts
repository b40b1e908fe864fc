/** pty spawn [-- CMD ARGS...]. */
import { Command } from 'commander';
import { runPty } from '../client/pty';
import { withClient } from './context';

/** Adds `pty` to `program`; `onStatus` receives the program's exit status. */
export function ptyCommands(program: Command, onStatus: (status: number) => void): void {
  const pty = program.command('pty').description('pseudo-terminals cloned through the daemon');
  pty.command('spawn').description('run a program (default $SHELL) on a new pty attached to this terminal; exits with its status')
    .argument('[command...]', 'program and arguments (after --)')
    .passThroughOptions()
    .action(async (command: string[], _o: unknown, cmd: Command) => withClient(cmd, async (c) => {
      const [file, ...args] = command.length ? command : [process.env.SHELL || '/bin/sh'];
      onStatus(await runPty(c, file, args));
    }));
}
