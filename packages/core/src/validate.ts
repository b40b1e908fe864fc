/**
 * Argument checks for the public entry points of core. Each check returns its value typed when
 * it is good and otherwise throws EINVAL in Node's system-error shape (`code`, `errno`,
 * `syscall`, `path` when the call is about one), naming the argument and what it got, before
 * the entry point changes anything. On the success path a check is a few `typeof` tests and
 * allocates nothing (make_dev, lookup, open and read/write call them).
 */
import type { Cred } from './cred';
import { devfsError, DevfsError } from './errors';

/** Largest uid/gid a device may carry (2^32 - 2: -1 is the "unchanged" marker of chown). */
export const MAX_ID = 0xfffffffe;
/** Largest permission-bits value (0o7777). */
export const MAX_MODE = 0o7777;

/** A short, safe description of a bad value for the message (never calls the value's own methods). */
export function describeValue(v: unknown): string {
  switch (typeof v) {
    case 'undefined': return 'undefined';
    case 'string': return v.length > 40 ? `a string of ${v.length} characters` : JSON.stringify(v);
    case 'number': return String(v);
    case 'bigint': return `${v}n`;
    case 'boolean': return String(v);
    case 'symbol': return 'a symbol';
    case 'function': return 'a function';
    default: return v === null ? 'null' : Array.isArray(v) ? 'an array' : 'an object';
  }
}

/** The EINVAL of a bad argument: `<what> must be <want>, got <value>`. */
export function badArg(what: string, want: string, v: unknown, syscall: string, path?: string): DevfsError {
  return devfsError('EINVAL', syscall, path, `${what} must be ${want}, got ${describeValue(v)}`);
}

/** The argument checks (`arg.int(v, 'uid', 'make_dev', 0, MAX_ID)`). */
export const arg = {
  /** An integer in `min..max`. */
  int(v: unknown, what: string, syscall: string, min: number, max: number, path?: string): number {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw badArg(what, `an integer ${min}..${max}`, v, syscall, path);
    }
    return v;
  },

  /** An integer in `min..max`, or `dflt` when undefined. */
  optInt(v: unknown, what: string, syscall: string, min: number, max: number, dflt: number, path?: string): number {
    return v === undefined ? dflt : arg.int(v, what, syscall, min, max, path);
  },

  /** A string. */
  string(v: unknown, what: string, syscall: string, path?: string): string {
    if (typeof v !== 'string') throw badArg(what, 'a string', v, syscall, path);
    return v;
  },

  /** A string, or `dflt` when undefined. */
  optString(v: unknown, what: string, syscall: string, dflt: string, path?: string): string {
    return v === undefined ? dflt : arg.string(v, what, syscall, path);
  },

  /** A non-null object (not a function). */
  object<T extends object = object>(v: unknown, what: string, syscall: string, path?: string): T {
    if (typeof v !== 'object' || v === null) throw badArg(what, 'an object', v, syscall, path);
    return v as T;
  },

  /** An object or undefined (an options bag). */
  optObject<T extends object = object>(v: unknown, what: string, syscall: string, path?: string): T | undefined {
    return v === undefined ? undefined : arg.object<T>(v, what, syscall, path);
  },

  /** A function. */
  fn<T extends (...a: never[]) => unknown>(v: unknown, what: string, syscall: string, path?: string): T {
    if (typeof v !== 'function') throw badArg(what, 'a function', v, syscall, path);
    return v as T;
  },

  /** A boolean, or `dflt` when undefined. */
  optBool(v: unknown, what: string, syscall: string, dflt: boolean, path?: string): boolean {
    if (v === undefined) return dflt;
    if (typeof v !== 'boolean') throw badArg(what, 'a boolean', v, syscall, path);
    return v;
  },

  /** A ruleset: an integer 0..65535 or a string (whether the name exists is the registry's to say). */
  ruleset(v: unknown, syscall: string, path?: string): number | string {
    if (typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffff)) return v;
    throw badArg('ruleset', 'an integer 0..65535 or a name', v, syscall, path);
  },

  /** Credentials: integer uid and gid 0..2^32-2, groups absent or an array. */
  cred(v: unknown, syscall: string, path?: string): Cred {
    const c = v as Cred;
    if (typeof v !== 'object' || v === null || typeof c.uid !== 'number' || typeof c.gid !== 'number'
      || !(c.uid >= 0 && c.uid <= MAX_ID && Number.isInteger(c.uid))
      || !(c.gid >= 0 && c.gid <= MAX_ID && Number.isInteger(c.gid))
      || (c.groups !== undefined && !Array.isArray(c.groups))) {
      throw badArg('cred', `{ uid, gid } with integer ids 0..${MAX_ID}`, v, syscall, path);
    }
    return c;
  },

  /** A Buffer or other Uint8Array. */
  bytes(v: unknown, what: string, syscall: string, path?: string): Uint8Array {
    if (!(v instanceof Uint8Array)) throw badArg(what, 'a Buffer', v, syscall, path);
    return v;
  },

  /** A value that passes `test`, else EINVAL saying it must be `want`. */
  check<T>(v: unknown, test: (v: unknown) => v is T, what: string, want: string, syscall: string, path?: string): T {
    if (!test(v)) throw badArg(what, want, v, syscall, path);
    return v;
  },
};
