/**
 * Finding a plugin: a module object is used as given; a package name is resolved like `require`
 * from the host's search paths; a path (relative to the first search path) is resolved as a file
 * or a package directory. The nearest package.json above the resolved file names the plugin and
 * declares its @devfs/core range.
 */
import * as fs from 'fs';
import * as path from 'path';
import { devfsError, wrapError } from '../errors';
import { badArg } from '../validate';
import type { DriverModule } from './types';
import { checkCoreRange } from './validate';
import { assertTrustedPlugin } from './trust';

/** The fields of a plugin's package.json the host reads. */
export interface PluginPackage {
  name?: string;
  version?: string;
  peerDependencies?: Record<string, string>;
  dependencies?: Record<string, string>;
  /** Directory holding the package.json. */
  dir: string;
}

/** A plugin located and required, not yet validated. */
export interface FoundPlugin {
  /** Name used in messages: package name, else the spec. */
  name: string;
  /** Identity for idempotent loading: the resolved file, or the module object itself. */
  key: unknown;
  module: unknown;
  file?: string;
  pkg?: PluginPackage;
}

let anonymous = 0;

/** True when `spec` is a path rather than a package name. */
export function isPathSpec(spec: string): boolean {
  return spec.startsWith('.') || path.isAbsolute(spec) || (!spec.startsWith('@') && spec.includes('/')) || spec.includes('\\');
}

/** Resolves `spec` to a file (ENOENT naming the plugin and where it looked). */
export function resolvePluginFile(spec: string, paths: string[]): string {
  try {
    if (isPathSpec(spec)) return require.resolve(path.resolve(paths[0], spec));
    return require.resolve(spec, { paths });
  } catch (err) {
    throw devfsError('ENOENT', 'plugin.resolve', spec,
      `cannot find plugin '${spec}' (looked from ${paths.join(', ')}): ${(err as Error).message.split('\n')[0]}`);
  }
}

/** Reads the nearest package.json at or above `file`'s directory. */
export function findPackage(file: string): PluginPackage | undefined {
  let dir = path.dirname(file);
  for (;;) {
    const p = path.join(dir, 'package.json');
    if (fs.existsSync(p)) {
      try {
        return { ...(JSON.parse(fs.readFileSync(p, 'utf8')) as object), dir };
      } catch (err) {
        throw devfsError('EINVAL', 'plugin.package', p, `unreadable package.json: ${(err as Error).message}`);
      }
    }
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/**
 * Locates a plugin to run isolated without loading it here: its file, its name, and the same
 * trust and @devfs/core range checks as an in-process plugin (the worker requires it).
 */
export function locateIsolated(spec: string, paths: string[]): { name: string; file: string; version?: string } {
  const file = resolvePluginFile(spec, paths);
  const pkg = findPackage(file);
  const name = pkg?.name ?? spec;
  assertTrustedPlugin(file, name);
  checkCoreRange({ name, key: file, module: undefined, file, pkg });
  return { name, file, version: pkg?.version };
}

/** Locates and requires a plugin; every failure is a DevfsError naming it. */
export function findPlugin(spec: DriverModule | string, paths: string[]): FoundPlugin {
  if (typeof spec !== 'string') {
    if (!spec || (typeof spec !== 'object' && typeof spec !== 'function')) {
      throw badArg('plugin', 'a module object, a package name or a path', spec, 'plugin.load');
    }
    const named = (spec as { pluginName?: unknown }).pluginName;
    return { name: typeof named === 'string' ? named : `<module object #${++anonymous}>`, key: spec, module: spec };
  }
  if (spec.trim() === '') throw devfsError('EINVAL', 'plugin.load', spec, 'empty plugin name');
  const file = resolvePluginFile(spec, paths);
  const pkg = findPackage(file);
  const name = pkg?.name ?? spec;
  assertTrustedPlugin(file, name);
  let mod: unknown;
  try {
    mod = require(file);
  } catch (err) {
    throw wrapError(err, 'plugin.load', name, `plugin '${name}' failed to load from ${file}`);
  }
  return { name, key: file, module: mod, file, pkg };
}
