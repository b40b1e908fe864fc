/**
 * @devfs/drivers-pty — pseudo-terminals on the host's real ptys: a node-pty-shaped `spawn()`
 * that works on its own, and the devfs driver (`ptmx` cloner, `pts/N`).
 */
export * from './constants';
export { spawn } from './spawn/spawn';
export { Pty } from './spawn/pty';
export type { IPty, IPtyExit, IExitEvent } from './spawn/pty';
export type { IEvent, IDisposable } from './spawn/events';
export type { PtySpawnOptions, HostedPty, IBasePtyForkOptions, IPtyForkOptions, IWindowsPtyForkOptions } from './spawn/options';
export { openHostPty } from './host-pty';
export { PtyDriver } from './driver/driver';
export type { PtyDriverOptions } from './driver/driver';
export { PtyUnit } from './driver/unit';
export { register } from './plugin';
