import { DRIVER, DRIVER_OPTIONS, KERNEL } from '@devfs/core';
import type { DependencyContainer, Kernel } from '@devfs/core';
import { PtyDriver, PtyDriverOptions } from './driver';

/** Registers the pty driver in a host's container; its options are `options.pty`. */
export function register(container: DependencyContainer, options?: unknown): void {
  container.register(DRIVER, {
    useFactory: (c) => {
      const all = (options ?? (c.isRegistered(DRIVER_OPTIONS, true) ? c.resolve(DRIVER_OPTIONS) : {})) as Record<string, unknown>;
      return new PtyDriver(c.resolve<Kernel>(KERNEL), (all.pty ?? {}) as PtyDriverOptions);
    },
  });
}
