import type { DependencyContainer } from 'tsyringe';
import type { Kernel } from '../devfs';
import type { IsolatedDriverSpec, RestartPolicy } from './isolate/spec';

/** A driver as the host runs it: a unique name, attach on load, detach on close. */
export interface DevfsDriver {
  readonly name: string;
  /**
   * Why the driver attached with no nodes (the host lacks what it needs: no /dev/net/tun, no
   * CAP_NET_ADMIN...), else undefined. Such a driver never fails the host; it says why here.
   */
  readonly unavailable?: Error;
  /** Set for a plugin loaded isolated (its own worker thread): policy, state, restarts, last failure. */
  readonly isolation?: IsolationInfo;
  attach(): void | Promise<void>;
  detach(): void | Promise<void>;
}

/**
 * A driver plugin: its `register` adds DRIVER providers to the container it is given (the host's
 * per-plugin child container) and must not touch tsyringe's global container.
 */
export interface DriverModule {
  register(container: DependencyContainer, options?: unknown): void;
}

/**
 * A plugin as createHost/load accept it: the module object, a package name, a path, or
 * `{ module, isolate: true, ... }` to run it in a worker thread of its own.
 */
export type DriverSpec = DriverModule | string | IsolatedDriverSpec;

/** What the host says about an isolated plugin (`devfs drivers`). */
export interface IsolationInfo {
  restart: RestartPolicy;
  memoryMb: number;
  callTimeoutMs: number;
  /** 'starting', 'running', 'restarting' (waiting out its backoff), 'failed' (restart 'never'), 'stopped'. */
  state: 'starting' | 'running' | 'restarting' | 'failed' | 'stopped';
  /** Times its worker was started again after dying. */
  restarts: number;
  /** Why its worker last died (code ETIMEDOUT: hung; ENOMEM: over its memory limit; EIO: crashed or exited). */
  lastFailure?: { code: string; message: string; at: string };
}

/** A plugin or driver that could not be loaded, validated or attached. */
export interface PluginFailure {
  /** The plugin's name (package name, else the spec it was given as). */
  plugin: string;
  /** The driver's name when the failure was in attach(). */
  driver?: string;
  /** A DevfsError naming the plugin. */
  error: Error;
}

/** A loaded plugin and the drivers it brought. */
export interface LoadedPlugin {
  name: string;
  /** Resolved file of a plugin given by name or path. */
  file?: string;
  /** Its package version, when it has a package.json. */
  version?: string;
  drivers: DevfsDriver[];
}

/** Options of createHost. */
export interface HostOptions {
  /** Plugins, attached in this order. */
  drivers: DriverSpec[];
  /** Passed to every `register(container, options)` and registered under DRIVER_OPTIONS. */
  options?: Record<string, unknown>;
  /** Use this kernel instead of creating one. */
  kernel?: Kernel;
  /** Where package names and relative paths are resolved from (default: the current directory). */
  paths?: string[];
  /** Called for every failure; default: process.emitWarning. */
  onError?: (failure: PluginFailure) => void;
}

/** A running plugin host. */
export interface Host {
  kernel: Kernel;
  /** Attached drivers, in attach order. */
  drivers: DevfsDriver[];
  /** The attached driver with this name (ENOENT when there is none). */
  driver<T = DevfsDriver>(name: string): T;
  /** Loads one more plugin (idempotent per resolved package); rejects with a DevfsError naming it. */
  load(spec: DriverSpec): Promise<LoadedPlugin>;
  /** Plugins loaded so far. */
  readonly plugins: LoadedPlugin[];
  /** Every failure so far (load, validation, attach). */
  readonly failures: PluginFailure[];
  /** Detaches every driver in reverse attach order; later loads fail with ESHUTDOWN. */
  close(): Promise<void>;
}
