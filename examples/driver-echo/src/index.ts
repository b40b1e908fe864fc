/**
 * devfs-driver-echo — a third-party devfs driver: the cloning `echo` device. The package itself
 * is the DriverModule (`register` is in plugin.ts): `devfs daemon --driver ./examples/driver-echo` loads it.
 */
export { EchoDriver, echosw } from './driver';
export type { EchoOptions } from './driver';
export { Loopback } from './loopback';
export { register } from './plugin';
