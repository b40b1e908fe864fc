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

/** Longest path or name quoted in a message (the full value stays in `path`). */
const MAX_QUOTED = 256;
/** Longest reason kept in a message (a reason quoting a huge input is cut). */
const MAX_DETAIL = 4096;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f-\x9f]/;
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\x00-\x1f\x7f-\x9f]/g;

/**
 * Builds a `DevfsError`. Without `detail` the message is Node's own shape:
 * `ENOENT: no such file or directory, open 'pts/9'`. With `detail` (a precise reason, in the
 * user's words) the message is `CODE: detail 'path'` — the operation stays in the `syscall`
 * field, so internal operation names never reach a message — and the path is left out when the
 * detail already names it. Control characters in the message are escaped (`\n`, `\u001b`), a
 * quoted path is cut at 256 characters and a reason at 4096; `path` itself keeps the value as given.
 */
export function devfsError(code: string, syscall?: string, path?: string, detail?: string): DevfsError {
  if (path !== undefined && typeof path !== 'string') path = undefined; // never a Symbol in a template
  return new DevfsError(code, messageOf(code, syscall, path, detail), syscall, path);
}

/** The message `devfsError` gives (see there). */
function messageOf(code: string, syscall: string | undefined, path: string | undefined, detail: string | undefined): string {
  let message: string;
  if (detail === undefined) {
    message = `${code}: ${ERRNO_TABLE.get(code)?.[1] ?? code}`;
    if (syscall) message += `, ${syscall}`;
    if (path !== undefined) message += ` '${quotable(path)}'`;
  } else {
    if (detail.length > MAX_DETAIL) detail = `${detail.slice(0, MAX_DETAIL)}…`;
    if (detail.indexOf(': ') >= 0) detail = unstack(detail);
    message = `${code}: ${CONTROL.test(detail) ? escapeControls(detail) : detail}`;
    if (path !== undefined && path !== '' && !detail.includes(path)) message += ` '${quotable(path)}'`;
  }
  return message;
}

/**
 * A DevfsError built without V8's Error machinery (see `devfsErrorNoStack`): a plain object whose
 * prototype chain passes through `DevfsError.prototype`, so `instanceof DevfsError` and
 * `instanceof Error` hold and `constructor` is DevfsError. Its own fields are those of a
 * DevfsError (name, code, errno, syscall, path), set directly; `message` is formatted when it is
 * first read and `stack` is the message line alone (no frames are captured). Both may be assigned.
 */
class QuietDevfsError {
  declare name: string;
  declare code: string;
  declare errno: number;
  declare syscall: string | undefined;
  declare path: string | undefined;

  constructor(code: string, errno: number, syscall: string | undefined, path: string | undefined) {
    // own keys in a DevfsError's order
    this.code = code;
    this.errno = errno;
    this.syscall = syscall;
    this.path = path;
    this.name = 'DevfsError';
  }

  /**
   * util.inspect shows what it shows for a DevfsError (`[DevfsError: message] { code, ... }`):
   * inspect recognises an error by `instanceof` its own realm's Error or by being a native error,
   * and under a vm context (as jest runs tests) this object is neither.
   */
  [util.inspect.custom](depth: number, options: util.InspectOptionsStylized, inspect: typeof util.inspect): string {
    const twin = new DevfsError(this.code, (this as unknown as Error).message, this.syscall, this.path);
    Object.assign(twin, this);
    twin.stack = (this as unknown as Error).stack;
    return inspect(twin, { ...options, depth });
  }
}
Object.setPrototypeOf(QuietDevfsError.prototype, DevfsError.prototype);
/** An own data property in place of the prototype's accessor (an assignment to message or stack). */
const assigned = (key: string) => function set(this: object, value: unknown): void {
  Object.defineProperty(this, key, { value, writable: true, configurable: true, enumerable: false });
};
Object.defineProperties(QuietDevfsError.prototype, {
  constructor: { value: DevfsError, writable: true, configurable: true },
  message: {
    get(this: QuietDevfsError): string { return messageOf(this.code, this.syscall, this.path, undefined); },
    set: assigned('message'),
    configurable: true,
  },
  stack: {
    get(this: QuietDevfsError & { message: string }): string { return `${this.name}: ${this.message}`; },
    set: assigned('stack'),
    configurable: true,
  },
});

/**
 * `devfsError` without a captured call stack (`stack` is the message line alone), for the one
 * error a hot path raises by the million and callers branch on: a lookup miss's ENOENT (stat of
 * a name that does not exist, as a program probing for `tap7`). V8's Error constructor (a runtime
 * call, a stack walk even with `Error.stackTraceLimit` 0) and formatting the message were most of
 * the cost of such a miss; this error is a plain object with the same fields and prototype chain
 * (see QuietDevfsError) whose message is formatted only when read.
 */
export function devfsErrorNoStack(code: string, syscall?: string, path?: string): DevfsError {
  if (path !== undefined && typeof path !== 'string') path = undefined;
  return new QuietDevfsError(code, -(ERRNO_TABLE.get(code)?.[0] ?? 0), syscall, path) as unknown as DevfsError;
}

const INNER_PREFIX = /(^|: |\()(E[A-Z0-9]+): /g;

/**
 * A reason without the `CODE: ` prefixes of errors it quotes (`cannot read config: ENOENT: no
 * such file` → `cannot read config: no such file`), so that a message carries one code, first.
 */
function unstack(detail: string): string {
  return detail.replace(INNER_PREFIX, (m, lead: string, c: string) => (ERRNO_TABLE.has(c) ? lead : m));
}

/** `s` fit to be quoted in a one-line message: control characters escaped, at most 256 characters. */
function quotable(s: string): string {
  let out = s.length > MAX_QUOTED ? `${s.slice(0, MAX_QUOTED)}…` : s;
  return CONTROL.test(out) ? escapeControls(out) : out;
}

/** Control characters as `\n`, `\t`, `\r` or `\u001b`; nothing else changes. */
function escapeControls(s: string): string {
  return s.replace(CONTROLS, (c) => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : c === '\r' ? '\\r'
    : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

/**
 * The reason an error gives, without its `CODE: ` prefix and without the `, syscall 'path'` tail
 * its own fields already carry — what a wrapping message quotes (`invalid value 'zz': reason`),
 * so that prefixes never stack and tails never repeat.
 */
export function reasonOf(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown; syscall?: unknown; path?: unknown } | null | undefined;
  let m = e && typeof e.message === 'string' ? e.message : String(err);
  if (e && typeof e.code === 'string' && m.startsWith(`${e.code}: `)) m = m.slice(e.code.length + 2);
  if (e && typeof e.path === 'string' && m.endsWith(` '${e.path}'`)) m = m.slice(0, -(e.path.length + 3));
  if (e && typeof e.syscall === 'string' && e.syscall !== '' && m.endsWith(`, ${e.syscall}`)) m = m.slice(0, -(e.syscall.length + 2));
  return m;
}

/**
 * Converts any thrown value to a DevfsError: a DevfsError is returned as it is; an error with a
 * POSIX `code` (a native or Node system error) keeps its code, syscall and path (the arguments
 * fill the ones it lacks) and its reason, re-formatted once — never re-prefixed and never with a
 * second tail; anything else becomes EIO with its message as the reason.
 */
export function toDevfsError(err: unknown, syscall?: string, path?: string): DevfsError {
  if (err instanceof DevfsError) return err;
  const e = err as { code?: unknown; message?: unknown; syscall?: unknown; path?: unknown } | null | undefined;
  if (e && typeof e.code === 'string' && /^E[A-Z0-9]+$/.test(e.code)) {
    const reason = reasonOf(err);
    const standard = reason === ERRNO_TABLE.get(e.code)?.[1];
    return devfsError(e.code, typeof e.syscall === 'string' ? e.syscall : syscall,
      typeof e.path === 'string' ? e.path : path, standard ? undefined : reason);
  }
  return devfsError('EIO', syscall, path, err instanceof Error ? err.message : String(err));
}

/**
 * A new error with `code` (default: the inner error's code, else EIO) whose message is
 * `what: reason of the inner error` — one prefix, one tail.
 */
export function wrapError(err: unknown, syscall: string, path: string | undefined, what: string, code?: string): DevfsError {
  const inner = (err as { code?: unknown } | null)?.code;
  const c = code ?? (typeof inner === 'string' && /^E[A-Z0-9]+$/.test(inner) ? inner : 'EIO');
  return devfsError(c, syscall, path, `${what}: ${reasonOf(err)}`);
}

/** True when `err` is a DevfsError (or system error) with the given code. */
export function isErrno(err: unknown, code: string): boolean {
  return !!err && (err as { code?: unknown }).code === code;
}
