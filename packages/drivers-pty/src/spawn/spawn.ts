import type { IWindowsPtyForkOptions, PtySpawnOptions } from './options';
import { Pty } from './pty';

/**
 * Starts `file` on a new real pty, node-pty style: the child runs in its own session with the pty
 * as its controlling terminal. `file` omitted runs `sh`; `args` default to none. A program that
 * cannot be started is reported as node-pty does (its reason on the terminal, exit code 1, the
 * DevfsError as the exit event's `error`) unless `throwOnSpawnError`. Throws a DevfsError for bad
 * options (EINVAL) and when no pty is free (EAGAIN); nothing is left behind then.
 */
export function spawn(file: string | undefined, args: string[] | string | undefined, options: PtySpawnOptions & { encoding: null }): Pty<Buffer>;
export function spawn(file?: string, args?: string[] | string, options?: PtySpawnOptions | IWindowsPtyForkOptions): Pty<string>;
export function spawn(file?: string, args?: string[] | string, options: PtySpawnOptions = {}): Pty<string> | Pty<Buffer> {
  return options?.encoding === null ? new Pty<Buffer>(file, args, options) : new Pty<string>(file, args, options);
}
