/**
 * How a plugin is loaded isolated: `{ module, isolate: true, restart, memoryMb, callTimeoutMs }`
 * (the daemon's config `drivers` entry, `devfs daemon --driver-isolated`), checked and completed
 * with the defaults.
 */
import { arg, badArg } from '../../validate';

/** What happens when an isolated plugin's worker dies: start it again (with backoff) or leave it down. */
export type RestartPolicy = 'always' | 'never';

/** A plugin to run in a worker_thread of its own (DESIGN §11: its failure costs only its devices). */
export interface IsolatedDriverSpec {
  /** The plugin: a package name or a path, resolved as for an in-process plugin. */
  module: string;
  /** true: run it in its own worker thread; false: load it in process like a string spec. */
  isolate: boolean;
  /** Default 'always'. */
  restart?: RestartPolicy;
  /** The worker's heap limit (resourceLimits.maxOldGenerationSizeMb), default 256. */
  memoryMb?: number;
  /** A forwarded call that takes longer fails with ETIMEDOUT; a worker silent this long is terminated. Default 5000. */
  callTimeoutMs?: number;
  /** First restart delay, doubled per consecutive failure (default 100). */
  backoffMs?: number;
  /** Longest restart delay (default 5000). */
  maxBackoffMs?: number;
}

/** An isolated spec with every default filled in. */
export type IsolationSettings = Required<Omit<IsolatedDriverSpec, 'isolate'>>;

const DEFAULTS = { restart: 'always' as RestartPolicy, memoryMb: 256, callTimeoutMs: 5000, backoffMs: 100, maxBackoffMs: 5000 };

/** True when `spec` is the object form `{ module, isolate }` (not a DriverModule). */
export function isIsolatedSpec(spec: unknown): spec is IsolatedDriverSpec {
  return typeof spec === 'object' && spec !== null && typeof (spec as { module?: unknown }).module === 'string'
    && typeof (spec as { register?: unknown }).register !== 'function';
}

/** Checks an isolated spec (EINVAL naming the field) and fills in the defaults. */
export function isolationSettings(spec: IsolatedDriverSpec): IsolationSettings {
  const sc = 'plugin.load';
  const name = arg.string(spec.module, 'module', sc);
  if (name.trim() === '') throw badArg('module', 'a package name or a path', name, sc);
  arg.optBool(spec.isolate, 'isolate', sc, false);
  if (spec.restart !== undefined && spec.restart !== 'always' && spec.restart !== 'never') throw badArg('restart', "'always' or 'never'", spec.restart, sc, name);
  return {
    module: name,
    restart: spec.restart ?? DEFAULTS.restart,
    memoryMb: arg.optInt(spec.memoryMb, 'memoryMb', sc, 16, 65536, DEFAULTS.memoryMb, name),
    callTimeoutMs: arg.optInt(spec.callTimeoutMs, 'callTimeoutMs', sc, 100, 3_600_000, DEFAULTS.callTimeoutMs, name),
    backoffMs: arg.optInt(spec.backoffMs, 'backoffMs', sc, 0, 3_600_000, DEFAULTS.backoffMs, name),
    maxBackoffMs: arg.optInt(spec.maxBackoffMs, 'maxBackoffMs', sc, 0, 3_600_000, DEFAULTS.maxBackoffMs, name),
  };
}
