/**
 * @devfs/drivers-tap — the tap driver on the host's real tap interfaces (/dev/net/tun).
 */
export * from './constants';
export { TapDriver } from './driver';
export type { TapOptions, CheckedTapOptions } from './options';
export { TapInterface } from './tap-if';
export { parseMac, checkMac, formatMac, randomTapMac } from './mac';
export { tapIoctl } from './ioctl';
export type { TapIoctlTarget } from './ioctl';
export { tapHostProblem, hasNetAdmin } from './host-check';
export { register } from './plugin';
