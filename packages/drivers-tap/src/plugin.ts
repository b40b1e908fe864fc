import { DRIVER, KERNEL, Kernel, DependencyContainer } from '@devfs/core';
import { TapDriver } from './driver';
import type { TapOptions } from './options';

/**
 * DriverModule entry point: registers the `tap` driver in the host's container. Options are read
 * from `options.tap` (see {@link TapOptions}) when the host passes its whole options record.
 */
export function register(container: DependencyContainer, options?: unknown): void {
  const all = (options ?? {}) as { tap?: TapOptions };
  container.register(DRIVER, { useFactory: (c) => new TapDriver(c.resolve<Kernel>(KERNEL), all.tap ?? {}) });
}
