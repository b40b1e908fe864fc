import type { PtySpawnOptions } from './options';
import { IPty, Pty } from './pty';

/**
 * Starts `file` on a new real pty, node-pty style: the child runs in its own session with the pty
 * as its controlling terminal. Throws a DevfsError (code ENOENT for a missing program, EAGAIN when
 * no pty is free); nothing is left behind then.
 */
export function spawn(file: string, args: string[], options: PtySpawnOptions & { encoding: null }): IPty<Buffer>;
export function spawn(file: string, args?: string[], options?: PtySpawnOptions): IPty<string>;
export function spawn(file: string, args: string[] = [], options: PtySpawnOptions = {}): IPty<string> | IPty<Buffer> {
  return options.encoding === null ? new Pty<Buffer>(file, args, options) : new Pty<string>(file, args, options);
}
