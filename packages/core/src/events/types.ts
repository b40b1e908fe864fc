/**
 * The vocabulary of the event stream: what happened (DevEvent), who listens, and the narrow
 * interface through which configured actions reach the kernel and its mounts (EventActionHost).
 */

/** Kinds of event, after devfsd's: registration, per-mount changes, lookup misses, opens, driver news. */
export type DevEventType = 'REGISTER' | 'UNREGISTER' | 'CREATE' | 'DELETE' | 'CHANGE' | 'LOOKUP'
  | 'OPEN' | 'CLOSE' | 'NOTIFY';

/** Every event type, in the order the API lists them. */
export const DEV_EVENT_TYPES: readonly DevEventType[] = Object.freeze([
  'REGISTER', 'UNREGISTER', 'CREATE', 'DELETE', 'CHANGE', 'LOOKUP', 'OPEN', 'CLOSE', 'NOTIFY',
]);

/**
 * One event. `seq` is assigned when the event is queued: consecutive for every delivered event
 * (dropped events take no number; an overrun notice says how many were dropped).
 * `name` is the device or dirent name relative to the mount root ("pts/3"); `mount` is the
 * mount's name for per-mount events and absent for global ones (REGISTER/UNREGISTER).
 */
export interface DevEvent {
  seq: number;
  type: DevEventType;
  name: string;
  mount?: string;
  ino?: number;
  uid?: number;
  gid?: number;
  mode?: number;
  data?: Record<string, unknown>;
  /** When the event was queued, in ms since the epoch (set by the stream; udevadm's timestamp). */
  time?: number;
}

/** What the kernel hands to `emit`: an event without its sequence number. */
export type DevEventInput = Omit<DevEvent, 'seq'>;

/** An in-process subscriber. It may return a promise; delivery never waits for it. */
export type DevEventListener = (e: DevEvent) => void | Promise<void>;

/** Where a reported failure came from. */
export interface EventErrorContext {
  /** The event being processed, when there is one. */
  event?: DevEvent;
  /** 'listener', or the action keyword ('EXECUTE', 'PERMISSIONS', 'COPY', ...). */
  source: string;
  /** `source:line` of the config rule that ran the action, for action failures. */
  rule?: string;
  /** Process id of the EXECUTE program, for its failures. */
  pid?: number;
}

/** Receives every failure of a listener or an action (a DevfsError). Never called re-entrantly from emit. */
export type EventErrorHandler = (err: Error, ctx: EventErrorContext) => void;

/** Attributes an action sets on a dirent (any subset). */
export interface DevAttrs {
  uid?: number;
  gid?: number;
  mode?: number;
}

/**
 * What the configured actions need from the kernel side. The kernel implements it and passes it
 * as `new Events({ host })` or `events.setActionHost(host)`. `mount` is the mount's name, or
 * `undefined` for a global event (REGISTER/UNREGISTER): then the call is about the device itself
 * (its default attributes / every mount), as the kernel defines it.
 * Calls that throw are reported through the error hook; they never stop later rules or events.
 */
export interface EventActionHost {
  /** PERMISSIONS and RESTORE: set owner, group and/or permission bits of `name` in `mount`. */
  setAttrs(mount: string | undefined, name: string, attrs: DevAttrs): void;
  /** SYMLINK: create the (compatibility) symlink `linkname` → `target` in `mount`. */
  symlink(mount: string | undefined, target: string, linkname: string): void;
  /**
   * MODLOAD: load the driver plugin `pkg` (a package name or path). Must be idempotent: loading
   * an already loaded plugin resolves at once. Concurrent requests for one package are merged.
   */
  modload(pkg: string): Promise<void>;
  /** The path a mount is presented at, for `$mntpt` / `$devpath` (e.g. "/dev"). */
  mountPath(mount?: string): string;
}

/** Construction options of `Events`. */
export interface EventsOptions {
  /** The kernel side the actions act on; may be set later with `setActionHost`. */
  host?: EventActionHost;
  /** Most events waiting for delivery; beyond it new events are dropped and counted. Default 65536. */
  queueLimit?: number;
  /** Failure reporter. Default: `process.emitWarning(err)`. */
  onError?: EventErrorHandler;
  /** EXECUTE time limit in milliseconds before the program's process group gets SIGKILL. Default 10000. */
  execTimeoutMs?: number;
  /** Most EXECUTE programs running at once; later ones wait their turn in order. Default 8. */
  execConcurrency?: number;
  /** Events delivered per macrotask before yielding to I/O. Default 1024. */
  batchSize?: number;
  /** Files read for user and group names in PERMISSIONS. Default /etc/passwd and /etc/group. */
  passwdFile?: string;
  groupFile?: string;
}
