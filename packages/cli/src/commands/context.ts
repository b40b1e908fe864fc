/** What every verb shares: global options, a connected client, output for people or --json. */
import type { Command } from 'commander';
import { DevfsClient } from '../client/client';
import { socketPath } from '../paths';

/** Global options (given before the verb). */
export interface GlobalOptions { socket?: string; json?: boolean; mount?: string }

/** The root program's options as seen from a (sub)command. */
export function globals(cmd: Command): GlobalOptions {
  let root = cmd;
  while (root.parent) root = root.parent;
  return root.opts<GlobalOptions>();
}

/** Runs `fn` with a client connected to the selected daemon and mount; always disconnects. */
export async function withClient<T>(cmd: Command, fn: (c: DevfsClient, g: GlobalOptions) => Promise<T>): Promise<T> {
  const g = globals(cmd);
  const c = await DevfsClient.connect(socketPath(g.socket), g.mount);
  try {
    return await fn(c, g);
  } finally {
    c.close();
  }
}

/** Prints `value` as JSON with --json, else the lines `human()` returns. */
export function out(g: GlobalOptions, value: unknown, human: (() => string[] | string) | string[] | string): void {
  if (g.json) {
    process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    return;
  }
  const h = typeof human === 'function' ? human() : human;
  const lines = Array.isArray(h) ? h : [h];
  if (lines.length) process.stdout.write(`${lines.join('\n')}\n`);
}
