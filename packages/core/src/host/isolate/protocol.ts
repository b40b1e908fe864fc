/**
 * The messages between the daemon's kernel and an isolated plugin's worker. Devices are never
 * copied: the worker's kernel allocates their inodes in the process-global table with the
 * worker's foreign tag, and `made` only says what the main kernel needs to adopt one (FreeBSD's
 * make_dev arguments); every driver call is a request answered by id.
 */
import type { DevEventInput } from '../../events/types';
import type { Cred } from '../../cred';

/** An inode as both sides name it: [ino, gen]. */
export type InoGen = [number, number];

/** What the worker starts with (workerData). */
export interface WorkerInit {
  /** The plugin's resolved file. */
  file: string;
  /** The host's options (register's second argument). */
  options: Record<string, unknown>;
  /** Where the plugin's own package names resolve from. */
  paths: string[];
  /** The foreign tag the worker's kernel allocates inodes with. */
  tag: number;
  /** Int32Array[0]: the heartbeat counter the worker bumps. */
  heartbeat: SharedArrayBuffer;
  /** How often the worker bumps it (ms). */
  beatMs: number;
  /** The data path's rings (fastio.ts). */
  io: SharedArrayBuffer;
}

/** A device the worker's kernel made (make_dev, make_dev_alias, an adopted foreign inode). */
export interface MadeMsg {
  ev: 'made';
  ino: number;
  gen: number;
  name: string;
  unit: number;
  uid: number;
  gid: number;
  mode: number;
  /** The worker cdevsw's d_name and d_flags (the main proxy keeps them). */
  dname: string;
  dflags: number;
  cloned: boolean;
  cred?: Cred;
  /** For an alias: the device it names. */
  aliasOf?: InoGen;
}

/** A sysctl node's value as the worker last read it, or what its `get` threw. */
export type SysctlValue = string | number | { code: string; message: string };

/** The plugin created a sysctl node (sysctl-mirror.ts): what the daemon publishes, and its value now. */
export interface SysctlMsg {
  ev: 'sysctl';
  name: string;
  description?: string;
  device?: string;
  /** The node has a `set` (the daemon's mirror forwards writes: see sysctl-mirror.ts). */
  writable: boolean;
  value: SysctlValue;
}

/** News of the plugin's sysctl nodes: one created, values that changed since the last push, one removed. */
export type SysctlEvent = SysctlMsg | { ev: 'sysctlv'; values: [string, SysctlValue][] } | { ev: 'sysctl-gone'; name: string };

/** The plugin added (`misshook`) or removed a miss hook (`kernel.onMiss`); the daemon asks the worker on an open miss (`miss`). */
export type MissHookEvent = { ev: 'misshook'; hook: number } | { ev: 'misshook-gone'; hook: number };

/** Unsolicited news from the worker. */
export type WorkerEvent =
  | SysctlEvent
  | MissHookEvent
  | MadeMsg
  | { ev: 'depends'; parent: InoGen; child: InoGen }
  /** Devices were destroyed in the worker: read the change log now. */
  | { ev: 'gone' }
  /** A clone handler for names starting with `prefix` was registered (open misses are forwarded). */
  | { ev: 'cloner'; prefix: string }
  /** An event the plugin emitted (kernel.emit; any type but REGISTER/UNREGISTER, which the daemon emits itself on adoption and removal). */
  | { ev: 'event'; e: DevEventInput }
  /** The plugin is loaded: its attached drivers, and what failed. */
  | { ev: 'ready'; drivers: string[]; failures: { driver?: string; code: string; message: string }[] };

/** A request to the worker. `h` names a handle the worker opened. */
export type Request =
  | { op: 'open'; ino: number; gen: number; flags: number; cred: Cred }
  /**
   * `shm`: read into the handle's shared memory (the answer carries only the count) — the native
   * region's key (native.shmMap) when it is new, `true` for the one the worker already maps for
   * `h`; else the bytes come back transferred.
   */
  | { op: 'read'; h: number; len: number; pos: number | null; shm?: number | true }
  /** The bytes: the first `len` of the handle's shared memory (`shm` as for read), or `data` (transferred). */
  | { op: 'write'; h: number; data?: ArrayBuffer; shm?: number | true; len?: number; pos: number | null }
  | { op: 'ioctl'; h: number; cmd: number; arg: unknown }
  | { op: 'poll'; h: number; events: number }
  | { op: 'close'; h: number }
  | { op: 'clone'; name: string; cred: Cred }
  /** Write the plugin's sysctl node `name` (the daemon checked the caller; the new value is pushed before the answer). */
  | { op: 'sysctl'; name: string; value: string }
  /** An open missed `name`: run the plugin's miss hooks (the answer: did one load something). */
  | { op: 'miss'; name: string }
  | { op: 'reject'; ino: number; gen: number }
  | { op: 'stop' };

/** A request with its id. */
export type RequestMsg = Request & { id: number };

/** The answer to request `id`: a value, or an error's code and reason. */
export type Reply =
  | { id: number; ok: true; v?: unknown; data?: ArrayBuffer }
  | { id: number; ok: false; code: string; message: string };

/** Everything the worker posts. */
export type FromWorker = WorkerEvent | Reply;
