import { native, LinkEvent } from '@devfs/native';
import type { Kernel, UnitAllocator } from '@devfs/core';
import { TapInterface, TapOrigin } from './tap-if';

const TAPN = /^tap(\d+)$/;

/** What adopting foreign taps and following link events need of the driver. */
export interface TapTable {
  readonly kernel: Kernel;
  /** The interfaces the driver has nodes for, by name. */
  readonly ifs: Map<string, TapInterface>;
  attached(): boolean;
  units(): UnitAllocator;
  /** A new interface object (no host side touched yet). */
  make(name: string, origin: TapOrigin): TapInterface;
  /** Gives an interface its node (adopting the inode the netlink thread inserted) and sysctl. */
  publish(tif: TapInterface, adopt?: { ino: number; gen: number }): void;
  /** Forgets a name: its unit, its watcher claim, its entry. */
  forget(name: string): void;
  /** The host interface vanished under an open handle. */
  lost(tif: TapInterface): void;
}

/** kernel.onForeign: a tap created outside (`ip tuntap add`) was registered by the netlink thread. */
export function adoptForeign(t: TapTable, ino: number, gen: number, name: string): void {
  if (!t.attached() || !TAPN.test(name) || t.ifs.has(name)) return;
  const tif = t.make(name, 'foreign');
  const units = t.units();
  if (units.has(tif.unit)) return;
  units.alloc(tif.unit);
  try {
    t.publish(tif, { ino, gen });
  } catch (err) {
    units.free(tif.unit);
    throw err;
  }
  t.kernel.emit({ type: 'NOTIFY', name, ino, data: { driver: 'tap', event: 'ATTACH', ifname: name, foreign: true } });
}

/** kernel.onForeign release: a foreign tap was deleted outside; the kernel destroys its node. */
export function releaseForeign(t: TapTable, ino: number, gen: number): void {
  for (const tif of t.ifs.values()) {
    if (tif.dev && tif.dev.inode === ino && tif.dev.gen === gen) {
      tif.destroying = true;
      tif.unpublish?.();
      void tif.detach();
      tif.markGone();
      tif.dev = undefined;
      t.forget(tif.name);
      t.kernel.emit({ type: 'NOTIFY', name: tif.name, ino, data: { driver: 'tap', event: 'DETACH', ifname: tif.name, foreign: true } });
      return;
    }
  }
}

/** A link event of the netlink thread: adoption, link up/down, an interface deleted outside. */
export function linkEvent(t: TapTable, ev: LinkEvent): void {
  if (!t.attached()) return;
  if (!ev.claimed) {
    if (ev.type !== 'change') t.kernel.syncForeign(); // adopt or release promptly
  }
  const tif = t.ifs.get(ev.name);
  if (!tif) return;
  if (ev.type === 'add') {
    let current = 0;
    try { current = native.ifIndex(ev.name); } catch { /* gone again */ }
    if (current === ev.ifindex) tif.ifindex = ev.ifindex;
    return;
  }
  if (tif.ifindex !== 0 && tif.ifindex !== ev.ifindex) return; // an older incarnation
  if (ev.type === 'change') {
    tif.linkChanged(ev.flags);
    t.kernel.emit({ type: 'NOTIFY', name: tif.name, ino: tif.dev?.inode, data: { driver: 'tap', event: ev.flags & 1 ? 'LINK_UP' : 'LINK_DOWN', ifname: tif.name } });
  } else if (ev.type === 'del' && ev.claimed && !tif.destroying && tif.ifindex === ev.ifindex) {
    t.lost(tif);
  }
}
