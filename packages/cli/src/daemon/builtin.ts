/**
 * The daemon's plugin list: config `drivers` (default: pty, tap, disk) plus `--driver` specs.
 * Package names resolve from the current directory first, then from this package (which depends
 * on the built-in drivers).
 */
import * as path from 'path';
import { DEFAULT_DRIVERS } from './config';

/** Search paths for plugin names and relative paths: the current directory, then @devfs/cli. */
export function pluginPaths(): string[] {
  return [process.cwd(), path.join(__dirname, '..', '..')];
}

/** The plugin specs to load, in order. */
export function driverList(configured: string[] | undefined, extra: string[]): string[] {
  const list = [...(configured ?? DEFAULT_DRIVERS)];
  for (const e of extra) if (!list.includes(e)) list.push(e);
  return list;
}
