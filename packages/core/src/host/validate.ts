/**
 * What a plugin must satisfy before anything of it runs: a `register` function and a declared
 * @devfs/core range (peerDependencies; a workspace package's `dependencies` also count) that the
 * running core satisfies; and, for each driver it registers, a name not taken and the
 * attach/detach methods.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as semver from 'semver';
import { devfsError } from '../errors';
import type { FoundPlugin } from './plugin';
import type { DevfsDriver, DriverModule } from './types';

/** The running @devfs/core version (from its package.json). */
export const CORE_VERSION: string = (() => {
  const p = path.join(__dirname, '..', '..', 'package.json');
  return (JSON.parse(fs.readFileSync(p, 'utf8')) as { version: string }).version;
})();

/** The module's `register` (its default export's, for ES-module interop); EINVAL when missing. */
export function registerOf(p: FoundPlugin): DriverModule['register'] {
  const m = p.module as { register?: unknown; default?: { register?: unknown } } | undefined;
  const f = m?.register ?? m?.default?.register;
  if (typeof f !== 'function') {
    throw devfsError('EINVAL', 'plugin.validate', p.name, `plugin '${p.name}' exports no register(container, options) function`);
  }
  return f as DriverModule['register'];
}

/** The @devfs/core range a plugin declares, with pnpm's `workspace:` protocol stripped. */
export function declaredCoreRange(p: FoundPlugin): string | undefined {
  const raw = p.pkg?.peerDependencies?.['@devfs/core'] ?? p.pkg?.dependencies?.['@devfs/core'];
  if (raw === undefined) return undefined;
  const r = raw.startsWith('workspace:') ? raw.slice('workspace:'.length) : raw;
  return r === '' || r === '~' || r === '^' ? '*' : r;
}

/** Checks the plugin's declared @devfs/core range against CORE_VERSION (module objects: only if they have a package). */
export function checkCoreRange(p: FoundPlugin, coreVersion = CORE_VERSION): void {
  if (!p.pkg) {
    if (p.file) throw devfsError('EINVAL', 'plugin.validate', p.name, `plugin '${p.name}' has no package.json declaring a @devfs/core peer dependency`);
    return;
  }
  const range = declaredCoreRange(p);
  if (range === undefined) {
    throw devfsError('EINVAL', 'plugin.validate', p.name,
      `plugin '${p.name}' declares no compatible @devfs/core range (add "peerDependencies": { "@devfs/core": "^${coreVersion}" })`);
  }
  if (semver.validRange(range) === null) {
    throw devfsError('EINVAL', 'plugin.validate', p.name, `plugin '${p.name}' declares an invalid @devfs/core range '${range}'`);
  }
  if (!semver.satisfies(coreVersion, range, { includePrerelease: true })) {
    throw devfsError('ENOTSUP', 'plugin.validate', p.name,
      `plugin '${p.name}' needs @devfs/core ${range}, but this is @devfs/core ${coreVersion}`);
  }
}

/** Checks the shape of a registered driver and that its name is free. */
export function checkDriver(plugin: string, d: unknown, taken: ReadonlySet<string>): DevfsDriver {
  const drv = d as Partial<DevfsDriver> | undefined;
  if (!drv || typeof drv.name !== 'string' || drv.name === '') {
    throw devfsError('EINVAL', 'plugin.validate', plugin, `plugin '${plugin}' registered a driver without a name`);
  }
  if (typeof drv.attach !== 'function' || typeof drv.detach !== 'function') {
    throw devfsError('EINVAL', 'plugin.validate', plugin, `driver '${drv.name}' of plugin '${plugin}' lacks attach() or detach()`);
  }
  if (taken.has(drv.name)) {
    throw devfsError('EEXIST', 'plugin.validate', plugin, `plugin '${plugin}' registers driver '${drv.name}', but a driver of that name is already loaded`);
  }
  return drv as DevfsDriver;
}
