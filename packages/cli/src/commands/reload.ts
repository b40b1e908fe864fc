/** devfs reload (the daemon re-reads its config) and `rule load FILE` (a devfs.rules file). */
import * as fs from 'fs';
import * as path from 'path';
import type { Command } from 'commander';
import { devfsError, toDevfsError } from '@devfs/core/base';
import type { DevfsClient } from '../client/client';
import { M } from '../protocol/methods';
import { MAX_IO_BYTES } from '../protocol/limits';
import { out, withClient } from './context';

/** `rule load FILE`: sends the file's text (read here, at most 512 KiB) to be loaded atomically. */
export async function loadRulesFile(c: DevfsClient, args: string[]): Promise<unknown> {
  if (args.length !== 1) throw devfsError('EINVAL', 'rule load', undefined, 'usage: rule load FILE (a devfs.rules file: [name=N] sections of add lines)');
  const file = path.resolve(args[0]);
  let text: string;
  try {
    if (fs.statSync(file).size > MAX_IO_BYTES) throw devfsError('EFBIG', 'rule load', file, `a rules file may have at most ${MAX_IO_BYTES} bytes`);
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw toDevfsError(err, 'rule load', file);
  }
  return c.request(M.ruleLoad, { text, source: file });
}

/** Adds `reload` to `program`. */
export function reloadCommand(program: Command): void {
  program.command('reload').description("make the daemon read its --config file again (root only): rules, event actions, access; nobody is disconnected, a bad file changes nothing")
    .action(async (_o: unknown, cmd: Command) => withClient(cmd, async (c, g) => {
      const r = await c.request<{ file: string; rules: string[]; events: string[]; access: boolean; needRestart: string[] }>(M.reload);
      out(g, r, [
        `reloaded ${r.file}: ${r.rules.length} rules file(s), ${r.events.length} event file(s)${r.access ? ', access map changed' : ''}`,
        ...(r.needRestart.length ? [`changed, applied only by a restart: ${r.needRestart.join(', ')}`] : []),
      ]);
    }));
}
