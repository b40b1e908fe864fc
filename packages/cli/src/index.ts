/**
 * @devfs/cli — the `devfs` command: the device daemon (driver plugin host on a Unix socket,
 * per-peer credentials) and the client verbs. Also usable as a library.
 */
export { main, buildProgram } from './main';
export { startDaemon } from './daemon/daemon';
export type { Daemon, DaemonOptions } from './daemon/daemon';
export { loadConfig, checkConfig, DEFAULT_DRIVERS, DEFAULT_MOUNTS } from './daemon/config';
export type { DaemonConfig, MountConfig, AccessConfig } from './daemon/config';
export { DevfsClient } from './client/client';
export { DEFAULT_SOCKET, socketPath } from './paths';
export { M as METHODS, N as NOTIFICATIONS } from './protocol/methods';
export { FrameGuard } from './protocol/guard';
export * from './protocol/limits';
