/**
 * The daemon's plugin list: config `drivers` (default: pty, tap, disk) plus `--driver` specs.
 * The built-in drivers (@devfs/drivers-*, dependencies of this package) are resolved from this
 * package to absolute paths, so a node_modules in whatever directory the daemon was started from
 * cannot shadow them. Other package names and relative paths resolve from the current directory;
 * running as root, the host refuses any plugin file another user could have written
 * (core's host/trust.ts).
 */
import * as path from 'path';
import { DEFAULT_DRIVERS } from './config';
import { DriverEntry, entryModule } from './driver-specs';

const CLI_DIR = path.join(__dirname, '..', '..');

/** Search paths for plugin names and relative paths: the current directory, then @devfs/cli. */
export function pluginPaths(): string[] {
  return [process.cwd(), CLI_DIR];
}

/**
 * The plugin specs to load, in order (isolated entries as `{ module, isolate, ... }`); the built-in
 * drivers as absolute paths resolved from @devfs/cli.
 */
export function driverList(configured: string[] | undefined, extra: string[]): string[];
export function driverList(configured: DriverEntry[] | undefined, extra: DriverEntry[]): DriverEntry[];
export function driverList(configured: DriverEntry[] | undefined, extra: DriverEntry[]): DriverEntry[] {
  const list = [...(configured ?? DEFAULT_DRIVERS)];
  for (const e of extra) if (!list.some((x) => entryModule(x) === entryModule(e))) list.push(e);
  return list.map((spec) => {
    const mod = entryModule(spec);
    if (!DEFAULT_DRIVERS.includes(mod)) return spec;
    return typeof spec === 'string' ? builtinPath(mod) : { ...spec, module: builtinPath(mod) };
  });
}

function builtinPath(spec: string): string {
  try {
    return require.resolve(spec, { paths: [CLI_DIR] });
  } catch {
    return spec; // not installed beside the CLI: resolved (and reported) by the host as usual
  }
}
