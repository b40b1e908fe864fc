/**
 * The built-in drivers as the daemon programs against them: their own exported types, so that a
 * rename in a driver breaks the CLI's build instead of failing at run time.
 */
import { devfsError } from '@devfs/core';
import type { Host } from '@devfs/core';
import type { MdDriver } from '@devfs/drivers-disk';
import type { PtyDriver } from '@devfs/drivers-pty';
import type { TapDriver } from '@devfs/drivers-tap';

/** The built-in drivers, by driver name. */
export interface BuiltinDrivers {
  md: MdDriver;
  tap: TapDriver;
  pty: PtyDriver;
}

/** The attached built-in driver `name`, typed; ENXIO (naming the call `what`) when it is not loaded. */
export function builtinDriver<K extends keyof BuiltinDrivers>(host: Host, name: K, what: string): BuiltinDrivers[K] {
  try {
    return host.driver<BuiltinDrivers[K]>(name);
  } catch {
    throw devfsError('ENXIO', what, name, `the ${name} driver is not loaded`);
  }
}
