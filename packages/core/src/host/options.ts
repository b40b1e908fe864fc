import type { DependencyContainer } from 'tsyringe';
import { DRIVER_OPTIONS } from './tokens';

/**
 * A driver's own section of the host's options — the one way options reach a driver. `register()`
 * receives the host's whole `options` record; this returns its `name` section (`options.pty`,
 * `options.tap`, ...), reading the container's DRIVER_OPTIONS instead when register() was called
 * without a record, and `{}` when neither has the section. The driver checks the section itself.
 */
export function driverOptions<T extends object = Record<string, unknown>>(container: DependencyContainer, name: string, options?: unknown): T {
  const all = (options ?? (container.isRegistered(DRIVER_OPTIONS, true) ? container.resolve(DRIVER_OPTIONS) : {})) as Record<string, unknown>;
  return (all[name] ?? {}) as T;
}
