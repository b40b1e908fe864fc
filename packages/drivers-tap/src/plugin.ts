import { DRIVER, KERNEL, Kernel } from '@devfs/core';
import { TapDriver, TapOptions } from './driver';

/** The part of a tsyringe DependencyContainer that register() uses. */
export interface DriverContainer {
  register(token: symbol, provider: { useFactory: (c: DriverContainer) => unknown }): unknown;
  resolve<T>(token: symbol): T;
}

/**
 * DriverModule entry point: registers the `tap` driver in the host's container. Options are read
 * from `options.tap` (see {@link TapOptions}) when the host passes its whole options record.
 */
export function register(container: DriverContainer, options?: unknown): void {
  const all = (options ?? {}) as { tap?: TapOptions };
  container.register(DRIVER, { useFactory: (c) => new TapDriver(c.resolve<Kernel>(KERNEL), all.tap ?? {}) });
}
