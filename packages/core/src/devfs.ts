import { DeviceRegistry } from './kernel/kernel';
import { MountTable } from './mount/table';
import type { Mount, MountOptions } from './mount/mount';
import { kernelActionHost } from './events/kernel-host';

/**
 * The kernel as users and drivers see it: the device registry (./kernel, FreeBSD's kern_conf.c)
 * with its filesystem side (./mount: the mount table and the rulesets' views) and the event
 * actions' host (./events) attached. The only place that knows all three; the registry itself
 * never names a mount.
 */
export class Kernel extends DeviceRegistry {
  /** @internal the filesystem side: live mounts, their paths, the shared ruleset views. */
  readonly mountTable: MountTable = new MountTable(this);
  /** @internal set by the plugin host: how MODLOAD loads a driver package. */
  readonly setModload: (f: (pkg: string) => Promise<void>) => void;

  constructor() {
    super();
    const table = this.mountTable;
    const host = kernelActionHost({
      lookupDev: (name) => this.lookupDev(name),
      mounts: () => table.mounts,
      mountNamed: (name) => table.named(name),
      mountPath: (mount) => table.pathOf(mount),
    });
    this.events.setActionHost(host);
    this.setModload = host.setModload;
  }

  /** Creates a mount: an independent view of the namespace with its own attributes and ruleset. */
  mount(opts: MountOptions = {}): Mount {
    return this.mountTable.mount(opts);
  }

  /** The mount with this name. */
  mountNamed(name: string): Mount | undefined {
    return this.mountTable.named(name);
  }

  /** Live mounts. */
  get mounts(): Set<Mount> {
    return this.mountTable.mounts;
  }

  /** Paths mounts are presented at, for `$mntpt` in event actions (default '/dev'). */
  get mountPaths(): Map<string, string> {
    return this.mountTable.paths;
  }
}
