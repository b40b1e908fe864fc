import { native } from '@devfs/native';

/** Runs a host call (tun open, interface ioctl, rtnetlink) in the driver's network namespace. */
export type HostCall = <T>(fn: () => T) => T;

/**
 * The HostCall of a driver: with a namespace path (`/run/netns/NAME`, `/proc/PID/ns/net`) each
 * call enters it on the calling thread (setns) and returns to the previous namespace afterwards,
 * so interfaces that live there are created, queried and deleted there; without, calls run where
 * the thread is.
 */
export function hostCaller(netns: string): HostCall {
  if (!netns) return (fn) => fn();
  return (fn) => {
    const prev = native.netnsEnter(netns);
    try {
      return fn();
    } finally {
      native.netnsRestore(prev);
    }
  };
}
