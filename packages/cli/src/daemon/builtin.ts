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

/**
 * Stop-gap while @devfs/drivers-disk exports no `register`: a DriverModule that registers its
 * MdDriver. Used only when the package lacks `register`; remove once it has one.
 */
export function diskAdapter(spec: string): unknown {
  if (spec !== '@devfs/drivers-disk') return spec;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const disk = require('@devfs/drivers-disk') as { register?: unknown; MdDriver?: new (k: unknown) => unknown };
  if (typeof disk.register === 'function' || typeof disk.MdDriver !== 'function') return spec;
  const { DRIVER, KERNEL } = require('@devfs/core') as typeof import('@devfs/core');
  const MdDriver = disk.MdDriver;
  return {
    pluginName: '@devfs/drivers-disk',
    register(c: import('@devfs/core').DependencyContainer) {
      c.register(DRIVER, { useFactory: (cc) => new MdDriver(cc.resolve(KERNEL)) as never });
    },
  };
}
