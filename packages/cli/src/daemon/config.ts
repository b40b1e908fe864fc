/**
 * The daemon's JSON config. Every field is optional; relative file names are taken relative to
 * the config file. Unknown keys and wrong types are an EINVAL naming the key, before anything
 * starts.
 *
 *   { "socket": "/run/devfs.sock",
 *     "drivers": ["@devfs/drivers-pty", "@devfs/drivers-tap", "@devfs/drivers-disk",
 *                 { "module": "./my-driver", "isolate": true, "restart": "always", "memoryMb": 256, "callTimeoutMs": 5000 }],
 *     "options": { "tap": {}, "echo": { "bufferSize": 4096 } },
 *     "rules": ["devfs.rules"], "events": ["devfsd.conf"],
 *     "mounts": [{ "name": "root" }, { "name": "jail", "ruleset": "devfsrules_jail", "jail": true }],
 *     "access": { "root": "root", "default": "jail", "users": { "alice": "root" }, "groups": { "wheel": "root" } },
 *     "log": "/var/log/devfs.log",
 *     "limits": { "connectionsPerUser": 64, "frameTimeoutMs": 10000, "pendingFrameBytes": 67108864,
 *                 "fdReserve": 256, "ptysPerUser": 32 } }
 */
import * as fs from 'fs';
import * as path from 'path';
import { devfsError } from '@devfs/core';
import { checkDriverEntries, DriverEntry } from './driver-specs';

/** One configured mount. */
export interface MountConfig { name: string; ruleset?: number | string; jail?: boolean; readOnly?: boolean }

/** Which mount a user sees: by uid 0, user name or uid, group name or gid, else the default. */
export interface AccessConfig { root?: string; default?: string; users?: Record<string, string>; groups?: Record<string, string> }

/**
 * Resource bounds for clients other than root (README "Limits"). Root is exempt from each: the
 * daemon keeps serving it whatever the others hold.
 */
export interface DaemonLimits {
  /** Open connections (control and pty data) one uid may hold; more are refused at accept. */
  connectionsPerUser: number;
  /** Time from a message's first byte to its last; a slower message ends its connection (slowloris). */
  frameTimeoutMs: number;
  /** Bytes buffered for incomplete messages across all non-root clients; past it the next one is refused. */
  pendingFrameBytes: number;
  /** File descriptors kept for root: non-root connections are refused when fewer than this remain below RLIMIT_NOFILE. */
  fdReserve: number;
  /** pty sessions one uid may run at once (across its connections). */
  ptysPerUser: number;
}

/** The limits used when the config names none (README "Limits"). */
export const DEFAULT_LIMITS: DaemonLimits = {
  connectionsPerUser: 64, frameTimeoutMs: 10_000, pendingFrameBytes: 64 * 1024 * 1024, fdReserve: 256, ptysPerUser: 32,
};

/** The whole config. */
export interface DaemonConfig {
  socket?: string;
  /** Plugin specs, or `{ module, isolate: true, ... }` for a plugin in its own worker thread (driver-specs.ts). */
  drivers?: DriverEntry[];
  options?: Record<string, unknown>;
  rules?: string[];
  events?: string[];
  mounts?: MountConfig[];
  access?: AccessConfig;
  /** Append the log to this file instead of stdout (`--log FILE` wins). */
  log?: string;
  /** Overrides of DEFAULT_LIMITS. */
  limits?: Partial<DaemonLimits>;
  /** Mount the FUSE export at this directory (`--fuse DIR` wins). */
  fuse?: string;
  /** Export only this mount through FUSE, cached (`--fuse-mount NAME` wins). */
  fuseMount?: string;
}

/** The built-in drivers (package names, resolved from the CLI package). */
export const DEFAULT_DRIVERS = ['@devfs/drivers-pty', '@devfs/drivers-tap', '@devfs/drivers-disk'];

/** The default mounts: the full view, and the jail view with devfsrules_jail. */
export const DEFAULT_MOUNTS: MountConfig[] = [{ name: 'root' }, { name: 'jail', ruleset: 'devfsrules_jail', jail: true }];

const KEYS = new Set(['socket', 'drivers', 'options', 'rules', 'events', 'mounts', 'access', 'log', 'limits', 'fuse', 'fuseMount']);

/** Reads and checks a config file; relative paths inside become absolute. */
export function loadConfig(file: string): DaemonConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'EINVAL';
    throw devfsError(code, 'config', file, `cannot read config: ${(err as Error).message}`);
  }
  return checkConfig(raw, file);
}

/** Validates a parsed config (see DaemonConfig). */
export function checkConfig(raw: unknown, file = '<config>'): DaemonConfig {
  const bad = (what: string) => devfsError('EINVAL', 'config', file, what);
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw bad('the config must be a JSON object');
  const c = raw as Record<string, unknown>;
  for (const k of Object.keys(c)) if (!KEYS.has(k)) throw bad(`unknown key '${k}'`);
  const dir = path.dirname(path.resolve(file));
  const strList = (k: string): string[] | undefined => {
    const v = c[k];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.some((s) => typeof s !== 'string' || s === '')) throw bad(`'${k}' must be an array of strings`);
    return v as string[];
  };
  const files = (k: string) => strList(k)?.map((f) => path.resolve(dir, f));
  const drivers = checkDriverEntries(c.drivers, dir, bad);
  if (c.socket !== undefined && (typeof c.socket !== 'string' || c.socket === '')) throw bad("'socket' must be a path");
  if (c.options !== undefined && (typeof c.options !== 'object' || c.options === null || Array.isArray(c.options))) throw bad("'options' must be an object");
  let mounts: MountConfig[] | undefined;
  if (c.mounts !== undefined) {
    if (!Array.isArray(c.mounts) || c.mounts.length === 0) throw bad("'mounts' must be a non-empty array");
    mounts = c.mounts.map((m, i) => {
      const o = m as Record<string, unknown>;
      if (!o || typeof o.name !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(o.name)) throw bad(`mounts[${i}].name must be a short name`);
      if (o.ruleset !== undefined && typeof o.ruleset !== 'string' && typeof o.ruleset !== 'number') throw bad(`mounts[${i}].ruleset must be a number or name`);
      return { name: o.name, ruleset: o.ruleset as number | string | undefined, jail: !!o.jail, readOnly: !!o.readOnly };
    });
  }
  let access: AccessConfig | undefined;
  if (c.access !== undefined) {
    const a = c.access as Record<string, unknown>;
    if (!a || typeof a !== 'object') throw bad("'access' must be an object");
    for (const k of ['users', 'groups']) {
      const m = a[k];
      if (m !== undefined && (typeof m !== 'object' || m === null || Object.values(m).some((v) => typeof v !== 'string'))) throw bad(`access.${k} must map names to mount names`);
    }
    access = a as AccessConfig;
  }
  if (c.log !== undefined && (typeof c.log !== 'string' || c.log === '')) throw bad("'log' must be a file name");
  if (c.fuse !== undefined && (typeof c.fuse !== 'string' || c.fuse === '')) throw bad("'fuse' must be a directory");
  if (c.fuseMount !== undefined && (typeof c.fuseMount !== 'string' || c.fuseMount === '')) throw bad("'fuseMount' must be a mount name");
  return {
    socket: c.socket as string | undefined, drivers, options: c.options as Record<string, unknown> | undefined,
    rules: files('rules'), events: files('events'), mounts, access,
    log: c.log === undefined ? undefined : path.resolve(dir, c.log as string), limits: checkLimits(c.limits, bad),
    fuse: c.fuse === undefined ? undefined : path.resolve(dir, c.fuse as string), fuseMount: c.fuseMount as string | undefined,
  };
}

/** Validates the `limits` object: known keys, each a non-negative integer (frameTimeoutMs and connectionsPerUser at least 1). */
function checkLimits(raw: unknown, bad: (what: string) => Error): Partial<DaemonLimits> | undefined {
  if (raw === undefined) return undefined;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw bad("'limits' must be an object");
  const out: Partial<DaemonLimits> = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (!(k in DEFAULT_LIMITS)) throw bad(`unknown key 'limits.${k}'`);
    const min = k === 'frameTimeoutMs' || k === 'connectionsPerUser' ? 1 : 0;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) throw bad(`limits.${k} must be an integer >= ${min}`);
    out[k as keyof DaemonLimits] = v;
  }
  return out;
}

/** The effective limits of a config (its overrides over DEFAULT_LIMITS). */
export function limitsOf(cfg: DaemonConfig): DaemonLimits {
  return { ...DEFAULT_LIMITS, ...cfg.limits };
}
