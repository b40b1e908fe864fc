import { native, LinkWatcherHandle, TAP_TAG } from '@devfs/native';
import { arg, devfsError, toDevfsError, reasonOf, isErrno, Cdev, Cdevsw, DevfsError, Kernel, UnitAllocator } from '@devfs/core';
import { TAP_MAX_UNIT, TAP_SYSCTL_PREFIX } from './constants';
import { checkTapOptions, CheckedTapOptions, TapOptions } from './options';
import { formatMac, parseMac, randomTapMac } from './mac';
import { tapHostProblem } from './host-check';
import { sigioTarget } from './owner';
import { TapInterface } from './tap-if';
import { tapNodeDevsw } from './node';
import { tapClonerDevsw } from './cloner';
import { HostInterface, newHostInterface } from './units';
import { adoptForeign, linkEvent, releaseForeign, TapTable } from './foreign';
import { applyOwnership, checkFeatures, CheckedFeatures, setOffloads, TapFeatures } from './features';
import { hostCaller, HostCall } from './netns';

/** Options of {@link TapDriver.create}: a unit and the interface's features. */
export interface TapCreateOptions extends TapFeatures {
  /** tapN's N (default: the lowest free). */
  unit?: number;
}

const TAPN = /^tap(\d+)$/;
const TUNN = /^tun(\d+)$/;

/** What `info(name)` reports about one tap interface. */
export interface TapInfo {
  name: string;
  /** 'tap' (Ethernet frames) or 'tun' (IP packets, create({ tun: true })). */
  mode: 'tap' | 'tun';
  mac: string | null;
  mtu: number;
  up: boolean;
  user: number | null;
  group: number | null;
  /** 'create' (persistent, `create()`), 'clone' (made by an open of the cloner, gone with it), 'foreign' (made outside, adopted). */
  origin: string;
  persistent: boolean;
  vnetHdr: boolean;
  multiQueue: boolean;
  /** The driver's netns option (null: the daemon's own namespace). */
  netns: string | null;
}

/**
 * The tap driver: the `tap` cloner node (each open creates a host interface tapN and returns a
 * handle of its own; closing it destroys the interface), `tapN` nodes for persistent interfaces
 * (`create`/`destroy`, one open at a time) and for taps created outside (`ip tuntap add`), which a
 * native netlink thread registers in the inode table and this driver adopts (foreign.ts). Host
 * interfaces live in the network namespace of the thread that called attach(). The cdevsws are
 * node.ts (tapN) and cloner.ts (tap); new host interfaces and their units come from units.ts.
 */
export class TapDriver {
  /** Driver name. */
  readonly name = 'tap';
  /** Why the driver attached with no nodes (no /dev/net/tun, no CAP_NET_ADMIN), else undefined. */
  unavailable: DevfsError | undefined = undefined;
  private readonly ifs = new Map<string, TapInterface>();
  private readonly destroying = new Map<string, Promise<void>>();
  private units: UnitAllocator | undefined = undefined;
  /** Units of the layer-3 tunN interfaces (create({ tun: true })), apart from tapN's. */
  private tunUnits: UnitAllocator | undefined = undefined;
  private cloner: Cdev | undefined = undefined;
  private watcher: LinkWatcherHandle | undefined = undefined;
  private unforeign: (() => void) | undefined = undefined;
  private attached = false;

  /** The options, checked, with their defaults filled in. */
  readonly options: CheckedTapOptions;
  /** @internal runs a host call in the driver's network namespace (option netns). */
  readonly host: HostCall;

  private readonly nodeSw: ReturnType<typeof tapNodeDevsw>;
  private readonly clonerSw: Cdevsw;
  private readonly table: TapTable;

  /** A driver for `kernel`; nothing happens until attach(). Bad options → EINVAL. */
  constructor(readonly kernel: Kernel, options: TapOptions = {}) {
    this.options = checkTapOptions(options);
    this.host = hostCaller(this.options.netns);
    this.nodeSw = tapNodeDevsw(kernel);
    this.clonerSw = tapClonerDevsw(kernel, () => this.cloneOpen(), (tif) => this.cloneClose(tif));
    this.table = {
      kernel,
      ifs: this.ifs,
      attached: () => this.attached,
      units: () => this.units!,
      make: (name, origin) => new TapInterface(name, origin, this.queueFrames(), this),
      publish: (tif, adopt) => this.publish(tif, adopt),
      forget: (name) => this.forget(name),
      lost: (tif) => this.lost(tif),
    };
  }

  /**
   * Checks the host (TUN/TAP device, CAP_NET_ADMIN), creates the `tap` cloner node and starts the
   * link watcher. On a host that cannot run taps it attaches with no nodes, sets `unavailable`
   * and emits a NOTIFY event with the reason — it never fails the host.
   */
  attach(): void {
    if (this.attached) return;
    this.attached = true;
    this.unavailable = tapHostProblem(this.options.tunPath) ?? this.netnsProblem();
    if (this.unavailable) {
      this.kernel.emit({ type: 'NOTIFY', name: 'tap', data: { driver: 'tap', event: 'UNAVAILABLE', code: this.unavailable.code, message: reasonOf(this.unavailable) } });
      return;
    }
    this.units = this.kernel.unitAllocator(TAP_MAX_UNIT);
    this.tunUnits = this.kernel.unitAllocator(TAP_MAX_UNIT);
    this.cloner = this.kernel.make_dev_s({ devsw: this.clonerSw, uid: this.options.uid, gid: this.options.gid, mode: this.options.mode }, 'tap');
    if (this.options.watch) {
      this.watcher = this.host(() => native.startLinkWatcher((ev) => linkEvent(this.table, ev)));
      this.unforeign = this.kernel.onForeign(TAP_TAG, (ino, gen, name) => adoptForeign(this.table, ino, gen, name), (ino, gen) => releaseForeign(this.table, ino, gen));
    }
  }

  /**
   * Destroys every node; interfaces this driver created (clones and create()d ones) are deleted
   * from the host, interfaces created outside are left to their owner.
   */
  async detach(): Promise<void> {
    if (!this.attached) return;
    this.attached = false;
    this.unforeign?.();
    this.unforeign = undefined;
    const all = [...this.ifs.values()];
    await Promise.all(all.map((t) => this.teardown(t, t.origin !== 'foreign')));
    this.watcher?.stop();
    this.watcher = undefined;
    if (this.cloner) await this.kernel.destroy_dev(this.cloner).catch(() => undefined);
    this.cloner = undefined;
  }

  /**
   * `ifconfig tapN create`: a persistent host interface and its `tapN` node. Without a unit the
   * lowest free one. `options` (or a bare unit number): `vnetHdr`, `offloads`, `multiQueue`,
   * `user`, `group` (features.ts) — fixed for the interface's life, used by every open of tapN.
   * EEXIST when tapN exists; EINVAL for bad options or offloads the kernel lacks; the error of
   * `unavailable` on a host without taps.
   */
  async create(options?: number | TapCreateOptions): Promise<string> {
    const o: TapCreateOptions = typeof options === 'number' ? { unit: options } : (arg.optObject<TapCreateOptions>(options, 'options', 'create') ?? {});
    const unit = o.unit;
    if (unit !== undefined) arg.int(unit, 'unit', 'create', 0, TAP_MAX_UNIT);
    const features = checkFeatures({ ...o, unit: undefined }, 'create');
    this.ready('create');
    const { name, fd } = this.newHostInterface(unit, 'create', features);
    try {
      applyOwnership(fd, features, name, 'create');
      if (features.vnetHdr) setOffloads(fd, features, name, 'create'); // refused offloads → EINVAL now, not at the first open
      native.tunSetPersist(fd, true);
    } catch (err) {
      native.fdClose(fd);
      this.forget(name);
      throw toDevfsError(err, 'create', name);
    }
    native.fdClose(fd);
    const tif = new TapInterface(name, 'create', this.queueFrames(), this, features);
    try {
      this.publish(tif);
    } catch (err) {
      try { this.host(() => native.ifDelete(name)); } catch { /* already gone */ }
      this.forget(name);
      throw err;
    }
    return name;
  }

  /** `ifconfig tapN destroy`: deletes the host interface and its node; ENXIO when there is none. */
  async destroy(name: string): Promise<void> {
    const pending = this.destroying.get(name);
    if (pending) return pending;
    const tif = this.ifs.get(arg.string(name, 'name', 'destroy'));
    if (!tif) throw devfsError('ENXIO', 'destroy', name, `no tap interface '${name}'`);
    return this.teardown(tif, true);
  }

  /** Names of the interfaces the driver has nodes for. */
  list(): string[] {
    return [...this.ifs.keys()];
  }

  /**
   * What `ip -d link` would say of tapN, read from the host now: MAC, MTU, IFF_UP, owner and
   * group (TUNSETOWNER/TUNSETGROUP as created), how it came to be (`create`: persistent; `clone`:
   * gone with its open; `foreign`: made outside and adopted), features, and the netns option.
   * ENXIO when there is no such interface.
   */
  info(name: string): TapInfo {
    const tif = this.ifs.get(arg.string(name, 'name', 'info'));
    if (!tif) throw devfsError('ENXIO', 'info', name, `no tap interface '${name}'`);
    const { up, mtu } = tif.linkState();
    let mac: string | null = null;
    if (!tif.features.tun) try { mac = formatMac(tif.getMac()); } catch { /* going away */ } // a tun has no link-layer address
    return {
      name, mode: tif.features.tun ? 'tun' : 'tap', mac, mtu, up, user: tif.features.user ?? null, group: tif.features.group ?? null,
      origin: tif.origin, persistent: tif.origin !== 'clone', vnetHdr: tif.features.vnetHdr, multiQueue: tif.features.multiQueue,
      netns: this.options.netns || null,
    };
  }

  /** Brings tapN up or down (IFF_UP, `ip link set tapN up`); ENXIO when there is no such interface. */
  setUp(name: string, up: boolean): void {
    this.linkCall(name, 'setUp', (tif) => tif.setUp(arg.optBool(up, 'up', 'setUp', true, name)));
  }

  /** Sets tapN's MTU (`ip link set tapN mtu N`): 68..65535, EINVAL outside; ENXIO when there is no such interface. */
  setMtu(name: string, mtu: number): void {
    this.linkCall(name, 'setMtu', (tif) => tif.setMtu(arg.int(mtu, 'mtu', 'setMtu', 68, 65535, name)));
  }

  /** Runs `fn` on the interface `name` (ENXIO when unknown), host errors coded. */
  private linkCall(name: string, syscall: string, fn: (tif: TapInterface) => void): void {
    const tif = this.ifs.get(arg.string(name, 'name', syscall));
    if (!tif) throw devfsError('ENXIO', syscall, name, `no tap interface '${name}'`);
    try {
      fn(tif);
    } catch (err) {
      throw toDevfsError(err, syscall, name);
    }
  }

  /** @internal FIOASYNC delivery: a NOTIFY event, and SIGIO to the FIOSETOWN owner if any. */
  notifyAsync(tif: TapInterface): void {
    this.kernel.emit({ type: 'NOTIFY', name: tif.dev?.si_name ?? tif.name, ino: tif.dev?.inode, data: { driver: 'tap', event: 'SIGIO', ifname: tif.name, owner: tif.owner } });
    const target = sigioTarget(tif.owner);
    if (target === undefined) return;
    try {
      process.kill(target, 'SIGIO');
    } catch {
      tif.owner = 0; // the group is gone (ESRCH): stop signalling it
    }
  }

  /** @internal the host interface vanished under an open handle. */
  lost(tif: TapInterface): void {
    tif.markGone();
    if (tif.origin !== 'foreign') void this.teardown(tif, false);
  }

  /** The netns option names no namespace this thread can enter: that error. */
  private netnsProblem(): DevfsError | undefined {
    try {
      this.host(() => undefined);
      return undefined;
    } catch (err) {
      return toDevfsError(err, 'setns', this.options.netns);
    }
  }

  private ready(syscall: string): void {
    const u = this.unavailable;
    if (u) throw devfsError(u.code, syscall, u.path, `tap driver unavailable: ${reasonOf(u)}`);
    if (!this.attached || !this.units) throw devfsError('ENXIO', syscall, 'tap', 'tap driver is not attached');
  }

  private queueFrames(): number {
    return this.options.queueFrames;
  }

  /** A new host interface: `unit` or the lowest free one (units.ts). */
  private newHostInterface(unit: number | undefined, syscall: string, features: CheckedFeatures): HostInterface {
    const units = features.tun ? this.tunUnits! : this.units!;
    return this.host(() => newHostInterface(units, this.watcher, (name) => this.forget(name), unit, syscall, features));
  }

  /** Gives a new interface its MAC (prefix f2:0b:a4), its node and its sysctl; registers it. */
  private publish(tif: TapInterface, adopt?: { ino: number; gen: number }): void {
    if (!adopt && !tif.features.tun) tif.setMac(randomTapMac()); // a tun has no link-layer address
    tif.dev = this.kernel.make_dev_s({
      devsw: this.nodeSw, unit: Math.max(tif.unit, 0), uid: this.options.uid, gid: this.options.gid,
      mode: this.options.mode, drv1: tif, adoptInode: adopt,
    }, tif.name);
    const key = `${TAP_SYSCTL_PREFIX}.${tif.name}`;
    if (tif.features.tun) {
      this.ifs.set(tif.name, tif);
      return;
    }
    try {
      tif.unpublish = this.kernel.sysctl.create(key, {
        description: `hardware address of ${tif.name}`, device: tif.dev.si_name,
        get: () => formatMac(tif.getMac()),
        set: (v: string) => tif.setMac(parseMac(v, 'sysctl', key, false)),
      });
    } catch (err) {
      void this.kernel.destroy_dev(tif.dev);
      tif.dev = undefined;
      throw err;
    }
    this.ifs.set(tif.name, tif);
  }

  /** An open of the cloner: a new host interface with its node, attached to the handle. */
  private cloneOpen(): TapInterface {
    this.ready('open');
    const features = this.options.clone;
    const { name, fd } = this.newHostInterface(undefined, 'open', features);
    const tif = new TapInterface(name, 'clone', this.queueFrames(), this, features);
    try {
      applyOwnership(fd, features, name, 'open');
    } catch (err) {
      native.fdClose(fd);
      this.forget(name);
      throw err;
    }
    try {
      tif.attach(fd);
      tif.inUse = true;
      this.publish(tif);
    } catch (err) {
      void tif.detach();
      this.forget(name);
      throw toDevfsError(err, 'open', 'tap');
    }
    return tif;
  }

  private async cloneClose(tif: TapInterface): Promise<void> {
    if (tif.destroying) return this.destroying.get(tif.name);
    return this.teardown(tif, false);
  }

  /** Destroys an interface once: node, sysctl, host fd, optionally the host interface. */
  private teardown(tif: TapInterface, deleteHost: boolean): Promise<void> {
    const pending = this.destroying.get(tif.name);
    if (pending && tif.destroying) return pending;
    tif.destroying = true;
    const run = async (): Promise<void> => {
      tif.unpublish?.();
      tif.unpublish = undefined;
      tif.markQueuesGone();
      await tif.detach(); // the fd closes on the thread pool; a clone's interface is gone after it
      if (deleteHost) {
        try {
          this.host(() => native.ifDelete(tif.name));
        } catch (err) {
          if (!isErrno(err, 'ENODEV')) throw toDevfsError(err, 'destroy', tif.name);
        }
      }
      const dev = tif.dev;
      tif.dev = undefined;
      if (dev) await this.kernel.destroy_dev(dev).catch(() => undefined);
      tif.markGone();
      if (this.ifs.get(tif.name) === tif) this.forget(tif.name);
    };
    const p = run().finally(() => {
      if (this.destroying.get(tif.name) === p) this.destroying.delete(tif.name);
    });
    this.destroying.set(tif.name, p);
    return p;
  }

  /** Forgets a name: its unit, its watcher claim, its entry. */
  private forget(name: string): void {
    this.ifs.delete(name);
    const m = TAPN.exec(name);
    if (m && this.units?.has(Number(m[1]))) this.units.free(Number(m[1]));
    const t = TUNN.exec(name);
    if (t && this.tunUnits?.has(Number(t[1]))) this.tunUnits.free(Number(t[1]));
    this.watcher?.release(name);
  }
}
