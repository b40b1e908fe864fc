import { DRIVER, KERNEL, Kernel, DependencyContainer } from '@devfs/core';
import { MdDriver } from './md/driver';

/**
 * DriverModule entry point: registers the `md` driver in the plugin host's container
 * (`createHost({ drivers: ['@devfs/drivers-disk'] })`, or the daemon's default driver list).
 */
export function register(container: DependencyContainer, _options?: unknown): void {
  container.register(DRIVER, { useFactory: (c) => new MdDriver(c.resolve<Kernel>(KERNEL)) });
}
