import * as util from 'util';

/**
 * The one error helper of the project. Every failure anywhere in devfs is a `DevfsError` with
 * Node's system-error shape: `code` ('ENOENT', 'EEXIST', ...), `errno` (Node's negative
 * convention, as in `fs` errors), `syscall` and `path` where they apply.
 */

/** POSIX error codes by name → [positive errno, strerror text], from libuv's table on this host. */
const ERRNO_TABLE: Map<string, [number, string]> = (() => {
  const table = new Map<string, [number, string]>();
  for (const [neg, [name, message]] of util.getSystemErrorMap()) {
    if (neg < 0 && !table.has(name)) table.set(name, [-neg, message]);
  }
  // Linux values libuv does not name on every build.
  if (!table.has('EHOSTDOWN')) table.set('EHOSTDOWN', [112, 'host is down']);
  if (!table.has('ENOTTY')) table.set('ENOTTY', [25, 'inappropriate ioctl for device']);
  return table;
})();

/** A device-framework error with Node's system-error shape. */
export class DevfsError extends Error {
  /** POSIX error name, e.g. 'ENOENT'. */
  code: string;
  /** Negative errno, as Node's fs errors carry it. */
  errno: number;
  /** The operation that failed, e.g. 'open', 'make_dev', 'rules.add'. */
  syscall?: string;
  /** The path or name the operation was about. */
  path?: string;

  constructor(code: string, message: string, syscall?: string, path?: string) {
    super(message);
    this.name = 'DevfsError';
    this.code = code;
    this.errno = -(ERRNO_TABLE.get(code)?.[0] ?? 0);
    if (syscall !== undefined) this.syscall = syscall;
    if (path !== undefined) this.path = path;
  }
}

/** Positive errno number of a POSIX error name (0 when unknown). */
export function errnoOf(code: string): number {
  return ERRNO_TABLE.get(code)?.[0] ?? 0;
}

/**
 * Builds a `DevfsError` formatted like Node's own: `ENOENT: no such file or directory, open 'pts/9'`.
 * `detail` replaces the standard strerror text when a more precise reason helps the user.
 */
export function devfsError(code: string, syscall?: string, path?: string, detail?: string): DevfsError {
  const text = detail ?? ERRNO_TABLE.get(code)?.[1] ?? code;
  let message = `${code}: ${text}`;
  if (syscall) message += `, ${syscall}`;
  if (path !== undefined) message += ` '${path}'`;
  return new DevfsError(code, message, syscall, path);
}

/** Converts any thrown value (a native error with `code`, a DevfsError, anything else) to a DevfsError. */
export function toDevfsError(err: unknown, syscall?: string, path?: string): DevfsError {
  if (err instanceof DevfsError) return err;
  const e = err as { code?: unknown; message?: unknown; syscall?: unknown; path?: unknown };
  if (e && typeof e.code === 'string' && /^E[A-Z0-9]+$/.test(e.code)) {
    const out = devfsError(e.code, (e.syscall as string) ?? syscall, (e.path as string) ?? path,
      typeof e.message === 'string' ? stripCode(e.message, e.code) : undefined);
    return out;
  }
  return devfsError('EIO', syscall, path, err instanceof Error ? err.message : String(err));
}

function stripCode(message: string, code: string): string {
  return message.startsWith(`${code}: `) ? message.slice(code.length + 2) : message;
}

/** True when `err` is a DevfsError (or system error) with the given code. */
export function isErrno(err: unknown, code: string): boolean {
  return !!err && (err as { code?: unknown }).code === code;
}
