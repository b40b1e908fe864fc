import { arg } from '@devfs/core';
import { TAP_QUEUE_FRAMES } from './constants';
import { checkFeatures, CheckedFeatures, TapFeatures } from './features';

/** Options of the tap driver. */
export interface TapOptions {
  /** Watch rtnetlink for interfaces created/deleted outside (default true). */
  watch?: boolean;
  /** Frames queued per interface before the host fd stops being read (default 512). */
  queueFrames?: number;
  /** The TUN/TAP device checked at attach (default /dev/net/tun). */
  tunPath?: string;
  /**
   * Network namespace the interfaces live in (a path: `/run/netns/NAME`, `/proc/PID/ns/net`);
   * every host call of the driver enters it for its duration (default '': the calling thread's).
   * Lets one process run taps in several namespaces (e.g. a bridge between two of them).
   */
  netns?: string;
  /** Owner, group and mode of the nodes (default root:wheel 0600). */
  uid?: number;
  gid?: number;
  mode?: number;
  /**
   * How every interface the `tap` cloner makes is set up (virtio-net header, offloads,
   * multi-queue, owner/group): the kernel fixes these when the interface is created, which for a
   * clone is the open itself, so they are the driver's (default: none).
   */
  clone?: TapFeatures;
}

/** Most frames a queue may hold (the native FdPoller's own limit). */
export const MAX_QUEUE_FRAMES = 1 << 20;
/** Largest uid/gid a node may carry (as make_dev accepts). */
const MAX_ID = 0xfffffffe;
/** Largest mode of a node (permission bits). */
const MAX_MODE = 0o7777;

/** TapOptions with every default filled in. */
export type CheckedTapOptions = Required<Omit<TapOptions, 'clone'>> & { clone: CheckedFeatures };

/**
 * Checks the options a TapDriver is constructed with (EINVAL naming the bad one, before anything
 * is set up) and fills in the defaults.
 */
export function checkTapOptions(options: unknown): CheckedTapOptions {
  const o = arg.optObject<TapOptions>(options, 'options', 'TapDriver') ?? {};
  return {
    watch: arg.optBool(o.watch, 'watch', 'TapDriver', true),
    queueFrames: arg.optInt(o.queueFrames, 'queueFrames', 'TapDriver', 1, MAX_QUEUE_FRAMES, TAP_QUEUE_FRAMES),
    tunPath: arg.optString(o.tunPath, 'tunPath', 'TapDriver', '/dev/net/tun'),
    netns: arg.optString(o.netns, 'netns', 'TapDriver', ''),
    uid: arg.optInt(o.uid, 'uid', 'TapDriver', 0, MAX_ID, 0),
    gid: arg.optInt(o.gid, 'gid', 'TapDriver', 0, MAX_ID, 0),
    mode: arg.optInt(o.mode, 'mode', 'TapDriver', 0, MAX_MODE, 0o600),
    clone: checkFeatures(o.clone, 'TapDriver'),
  };
}
