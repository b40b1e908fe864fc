/**
 * @devfs/drivers-tap — the tap driver on the host's real tap interfaces (/dev/net/tun).
 */
export * from './constants';
export { TapDriver } from './driver';
export type { TapCreateOptions, TapInfo } from './driver';
export { TAP_OFFLOADS } from './features';
export type { TapFeatures, TapOffload } from './features';
export * from './vnet';
export { readFrames, writeFrames } from './batch';
export type { FrameHandle, BatchOptions } from './batch';
export type { TapOptions, CheckedTapOptions } from './options';
export { TapInterface } from './tap-if';
export { parseMac, checkMac, formatMac, randomTapMac } from './mac';
export { tapIoctl } from './ioctl';
export type { TapIoctlTarget } from './ioctl';
export { tapHostProblem, hasNetAdmin } from './host-check';
export { register } from './plugin';
