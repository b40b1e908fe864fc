/**
 * devfs-driver-echo — a third-party devfs driver: the cloning `echo` device. The package itself
 * is the DriverModule: `devfs daemon --driver ./examples/driver-echo` loads it.
 */
import { DRIVER, DRIVER_OPTIONS, KERNEL } from '@devfs/core';
import type { DependencyContainer, Kernel } from '@devfs/core';
import { EchoDriver, EchoOptions } from './driver';

export { EchoDriver, echosw } from './driver';
export type { EchoOptions } from './driver';
export { Loopback } from './loopback';

/** Registers the echo driver in the host's container; its options are `options.echo`. */
export function register(container: DependencyContainer): void {
  container.register(DRIVER, {
    useFactory: (c) => {
      const all = c.resolve<Record<string, unknown>>(DRIVER_OPTIONS);
      return new EchoDriver(c.resolve<Kernel>(KERNEL), (all.echo ?? {}) as EchoOptions);
    },
  });
}
