import { native, LinkWatcherHandle } from '@devfs/native';
import { devfsError, toDevfsError, isErrno } from '@devfs/core';
import type { UnitAllocator } from '@devfs/core';
import type { CheckedFeatures } from './features';

/** A new host interface: its name and its open queue fd. */
export interface HostInterface { name: string; fd: number }

/**
 * Creates a new host interface exclusively (IFF_TUN_EXCL): `unit` or the lowest unit that is free
 * both in `units` and on the host (`unit` checked by the caller). The name is claimed in the
 * watcher first so it inserts no inode; on failure `forget` gives the unit and the claim back.
 * `features` give the TUNSETIFF flags (IFF_VNET_HDR, IFF_MULTI_QUEUE).
 */
export function newHostInterface(units: UnitAllocator, watcher: LinkWatcherHandle | undefined, forget: (name: string) => void,
  unit: number | undefined, syscall: string, features: CheckedFeatures): HostInterface {
  const flags = { vnetHdr: features.vnetHdr, multiQueue: features.multiQueue, tun: features.tun };
  const prefix = features.tun ? 'tun' : 'tap';
  if (unit !== undefined) {
    if (units.has(unit)) throw devfsError('EEXIST', syscall, `${prefix}${unit}`, `${prefix}${unit} exists`);
    units.alloc(unit);
    const name = `${prefix}${unit}`;
    watcher?.claim(name);
    try {
      return { name, fd: native.tunOpen(name, true, flags).fd };
    } catch (err) {
      forget(name);
      if (isErrno(err, 'EBUSY')) throw devfsError('EEXIST', syscall, name, `${name} exists on the host`);
      throw toDevfsError(err, syscall, name);
    }
  }
  const skipped: number[] = [];
  try {
    for (;;) {
      const u = units.alloc();
      const name = `${prefix}${u}`;
      watcher?.claim(name);
      try {
        return { name, fd: native.tunOpen(name, true, flags).fd };
      } catch (err) {
        watcher?.release(name);
        if (!isErrno(err, 'EBUSY')) {
          units.free(u);
          throw toDevfsError(err, syscall, name);
        }
        skipped.push(u); // taken on the host by someone else (adopted when the watcher reports it)
      }
    }
  } finally {
    for (const u of skipped) units.free(u);
  }
}
