/**
 * Request parameter checks: every field a handler reads is checked for type and bounds here, so
 * a malformed request is an EINVAL naming the field and changes nothing.
 */
import { devfsError } from '@devfs/core/base';

type Obj = Record<string, unknown>;

/** The params object (EINVAL unless a plain object). */
export function obj(p: unknown, method: string): Obj {
  if (p === null || typeof p !== 'object' || Array.isArray(p)) throw devfsError('EINVAL', method, undefined, 'parameters must be an object');
  return p as Obj;
}

/** A string field of at most `max` characters without NUL. */
export function str(p: Obj, key: string, method: string, opts: { optional?: boolean; max?: number; empty?: boolean } = {}): string {
  const v = p[key];
  if (v === undefined && opts.optional) return undefined as unknown as string;
  if (typeof v !== 'string' || v.length > (opts.max ?? 4096) || v.includes('\0') || (!opts.empty && v === '')) {
    throw devfsError('EINVAL', method, undefined, `'${key}' must be a non-empty string of at most ${opts.max ?? 4096} characters`);
  }
  return v;
}

/** An integer field within [min, max]. */
export function int(p: Obj, key: string, method: string, min: number, max: number, optional = false): number {
  const v = p[key];
  if (v === undefined && optional) return undefined as unknown as number;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    throw devfsError('EINVAL', method, undefined, `'${key}' must be an integer in ${min}..${max}`);
  }
  return v;
}

/** A boolean field (default false). */
export function bool(p: Obj, key: string, method: string): boolean {
  const v = p[key];
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw devfsError('EINVAL', method, undefined, `'${key}' must be a boolean`);
  return v;
}

/** An array of strings (at most `maxItems`). */
export function strings(p: Obj, key: string, method: string, maxItems = 256): string[] {
  const v = p[key];
  if (!Array.isArray(v) || v.length > maxItems || v.some((s) => typeof s !== 'string' || s.length > 65536 || s.includes('\0'))) {
    throw devfsError('EINVAL', method, undefined, `'${key}' must be an array of at most ${maxItems} strings`);
  }
  return v as string[];
}

/** A string→string map (environment). */
export function stringMap(p: Obj, key: string, method: string, maxItems = 1024): Record<string, string> | undefined {
  const v = p[key];
  if (v === undefined) return undefined;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw devfsError('EINVAL', method, undefined, `'${key}' must be an object of strings`);
  const e = Object.entries(v as Obj);
  if (e.length > maxItems || e.some(([k, s]) => typeof s !== 'string' || k.includes('=') || k.includes('\0') || (s as string).includes('\0'))) {
    throw devfsError('EINVAL', method, undefined, `'${key}' must map names (no '=' or NUL) to strings (no NUL)`);
  }
  return v as Record<string, string>;
}
