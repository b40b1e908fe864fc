/** pty spawn [-- CMD ARGS...]. */
import { Command } from 'commander';
import { devfsError } from '@devfs/core/base';
import { PtyOptions, runPty } from '../client/pty';
import { positive } from './fs';
import { withClient } from './context';

/** Adds `pty` to `program`; `onStatus` receives the program's exit status. */
export function ptyCommands(program: Command, onStatus: (status: number) => void): void {
  const pty = program.command('pty').description('pseudo-terminals cloned through the daemon');
  pty.command('spawn').description('run a program (default $SHELL) on a new pty attached to this terminal; exits with its status')
    .argument('[command...]', 'program and arguments (after --)')
    .option('--cols <n>', 'terminal width (default: this terminal\'s, else 80)', (v) => positive(v, '--cols'))
    .option('--rows <n>', 'terminal height (default: this terminal\'s, else 24)', (v) => positive(v, '--rows'))
    .option('--cwd <dir>', 'working directory of the program (default: the current one)')
    .option('--env <K=V>', 'set an environment variable; repeatable', (v: string, acc: Record<string, string>) => {
      const eq = v.indexOf('=');
      if (eq <= 0) throw devfsError('EINVAL', '--env', v, `--env needs NAME=VALUE (got '${v}')`);
      return { ...acc, [v.slice(0, eq)]: v.slice(eq + 1) };
    }, {} as Record<string, string>)
    .option('--name <term>', 'terminal type: TERM of the program (default: yours)')
    .passThroughOptions()
    .addHelpText('after', '\nExample: devfs pty spawn --cols 100 --rows 30 --env LANG=C --name xterm-256color -- bash -l')
    .action(async (command: string[], o: PtyOptions, cmd: Command) => withClient(cmd, async (c) => {
      const [file, ...args] = command.length ? command : [process.env.SHELL || '/bin/sh'];
      onStatus(await runPty(c, file, args, o));
    }));
}
