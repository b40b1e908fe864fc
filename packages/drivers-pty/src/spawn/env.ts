import { devfsError } from '@devfs/core';
import type { PtySpawnOptions } from './options';

/** What node-pty takes out of process.env before handing it to a terminal (tmux/screen leftovers). */
const SANITIZED = ['TMUX', 'TMUX_PANE', 'STY', 'WINDOW', 'WINDOWID', 'TERMCAP', 'COLUMNS', 'LINES'];

/** node-pty's option type checks: a present value of the wrong type throws EINVAL, nothing starts. */
export function checkOptionTypes(opts: PtySpawnOptions): void {
  const want: [keyof PtySpawnOptions, string][] = [
    ['name', 'string'], ['cols', 'number'], ['rows', 'number'], ['cwd', 'string'], ['env', 'object'],
    ['uid', 'number'], ['gid', 'number'], ['encoding', 'string'],
  ];
  if (typeof opts !== 'object' || opts === null) throw devfsError('EINVAL', 'spawn', undefined, 'options must be an object');
  for (const [key, type] of want) {
    const v = opts[key];
    if (v === undefined || (v === null && key === 'encoding')) continue;
    const actual = Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v;
    if (actual !== type) throw devfsError('EINVAL', 'spawn', undefined, `${key} must be a ${type} (not a ${actual})`);
  }
}

/**
 * The child's environment as 'K=V' strings, by node-pty's rules: a copy of `env` (process.env
 * sanitized when it is the default), PWD = `cwd`, TERM = `name` || env.TERM || 'xterm'.
 */
export function childEnv(opts: PtySpawnOptions, cwd: string): string[] {
  const env: { [key: string]: string | undefined } = { ...(opts.env ?? process.env) };
  if (opts.env === undefined || opts.env === process.env) for (const k of SANITIZED) delete env[k];
  env.PWD = cwd;
  env.TERM = opts.name || env.TERM || 'xterm';
  const out: string[] = [];
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) continue;
    if (k.includes('=') || k.includes('\0') || String(v).includes('\0')) {
      throw devfsError('EINVAL', 'spawn', undefined, 'environment names must not contain = or NUL, values no NUL');
    }
    out.push(`${k}=${v}`);
  }
  return out;
}
