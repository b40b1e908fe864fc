import { DRIVER, KERNEL, driverOptions } from '@devfs/core';
import type { DependencyContainer, Kernel } from '@devfs/core';
import { TapDriver } from './driver';
import type { TapOptions } from './options';

/** DriverModule entry point: registers the `tap` driver in the host's container; its options are `options.tap` (see {@link TapOptions}). */
export function register(container: DependencyContainer, options?: unknown): void {
  container.register(DRIVER, {
    useFactory: (c) => new TapDriver(c.resolve<Kernel>(KERNEL), driverOptions<TapOptions>(c, 'tap', options)),
  });
}
