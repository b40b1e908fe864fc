import { DRIVER, KERNEL, driverOptions } from '@devfs/core';
import type { DependencyContainer, Kernel } from '@devfs/core';
import { PtyDriver, PtyDriverOptions } from './driver/driver';

/** DriverModule entry point: registers the pty driver in a host's container; its options are `options.pty`. */
export function register(container: DependencyContainer, options?: unknown): void {
  container.register(DRIVER, {
    useFactory: (c) => new PtyDriver(c.resolve<Kernel>(KERNEL), driverOptions<PtyDriverOptions>(c, 'pty', options)),
  });
}
