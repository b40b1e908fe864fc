/**
 * The config's `drivers` entries: a plugin spec (package name or path), or an object that loads
 * the plugin isolated in a worker thread of its own (core's host/isolate):
 *   { "module": "./my-driver", "isolate": true, "restart": "always" | "never", "memoryMb": 256,
 *     "callTimeoutMs": 5000, "backoffMs": 100, "maxBackoffMs": 5000 }
 * Relative paths are taken relative to the config file. `devfs daemon --driver-isolated SPEC`
 * is the command-line spelling of `{ module: SPEC, isolate: true }` with the defaults.
 */
import * as path from 'path';
import type { IsolatedDriverSpec } from '@devfs/core';

/** One configured plugin. */
export type DriverEntry = string | IsolatedDriverSpec;

const ISOLATE_KEYS: Record<string, 'string' | 'boolean' | 'number'> = {
  module: 'string', isolate: 'boolean', restart: 'string', memoryMb: 'number', callTimeoutMs: 'number', backoffMs: 'number', maxBackoffMs: 'number',
};

/** Checks the `drivers` list (`bad(what)` makes the EINVAL) and makes relative paths absolute from `dir`. */
export function checkDriverEntries(v: unknown, dir: string, bad: (what: string) => Error): DriverEntry[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) throw bad("'drivers' must be an array of plugin names, paths or { module, isolate } objects");
  const abs = (spec: string) => (spec.startsWith('.') ? path.resolve(dir, spec) : spec);
  return v.map((d, i) => {
    if (typeof d === 'string' && d !== '') return abs(d);
    if (!d || typeof d !== 'object' || Array.isArray(d)) throw bad(`drivers[${i}] must be a plugin name, a path or a { module, isolate } object`);
    const o = d as Record<string, unknown>;
    for (const [k, val] of Object.entries(o)) {
      const want = ISOLATE_KEYS[k];
      if (!want) throw bad(`drivers[${i}]: unknown key '${k}'`);
      if (typeof val !== want) throw bad(`drivers[${i}].${k} must be a ${want}`);
    }
    if (typeof o.module !== 'string' || o.module === '') throw bad(`drivers[${i}].module must be a plugin name or path`);
    if (o.restart !== undefined && o.restart !== 'always' && o.restart !== 'never') throw bad(`drivers[${i}].restart must be "always" or "never"`);
    return { ...(o as unknown as IsolatedDriverSpec), module: abs(o.module), isolate: o.isolate === true };
  });
}

/** `--driver-isolated SPEC` as a config entry. */
export function isolatedEntry(spec: string): IsolatedDriverSpec {
  return { module: spec, isolate: true };
}

/** The module an entry names (for de-duplication and the built-in lookup). */
export function entryModule(e: DriverEntry): string {
  return typeof e === 'string' ? e : e.module;
}
