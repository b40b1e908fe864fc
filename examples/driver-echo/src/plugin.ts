import { DRIVER, KERNEL, driverOptions } from '@devfs/core';
import type { DependencyContainer, Kernel } from '@devfs/core';
import { EchoDriver, EchoOptions } from './driver';

/** DriverModule entry point: registers the echo driver in the host's container; its options are `options.echo`. */
export function register(container: DependencyContainer, options?: unknown): void {
  container.register(DRIVER, {
    useFactory: (c) => new EchoDriver(c.resolve<Kernel>(KERNEL), driverOptions<EchoOptions>(c, 'echo', options)),
  });
}
