import { native, packKey } from '@devfs/native';
import type { Cred } from '../cred';
import { ROOT } from '../cred';
import { devfsError, DevfsError } from '../errors';
import { MAKEDEV_ETERNAL, D_AUTOOWN } from '../constants';
import { Sysctl } from '../sysctl';
import type { DevFile } from '../file/devfile';
import type { Fileops, Cdevsw } from './cdevsw';
import { Cdev, SI_ALIAS, SI_CLONED, SI_DESTROYED, SI_DYING, SI_ETERNAL } from './cdev';
import { asCloner, inCloneContext, snapshotCred } from './origin';
import { arg, badArg } from '../validate';
import { checkMakeDev, MakeDevArgs, noCdevsw } from './makedev-args';
import { fdclone, getCdevpriv, setCdevpriv } from './file-calls';
import { MissHook, MissHooks } from './miss-hooks';
import { Namespace } from './namespace';
import { CloneRegistry, CloneHandler } from './clone';
import { createUnitAllocator, UnitAllocator } from './units';
import { TAG_KERNEL } from './changelog';
import { ForeignInodes, ForeignAdopter, ForeignRelease } from './foreign';

export type { ForeignAdopter, ForeignRelease };
import { collectVictims, destroys, DESTROYED, finishDestroy } from './destroy';
import type { EventBuilder, EventSink, KernelEvent } from './hooks';
import { registerPersistent, registerTransient, unregistered } from './devevents';
import { Rules, loadStandardRules } from '../rules';
import { Events } from '../events';

export type { MakeDevArgs } from './makedev-args';
export type { MissHook } from './miss-hooks';

/** make_dev's format arguments when there are none (shared, never written). */
const NO_ARGS: readonly unknown[] = Object.freeze([]);

/** Called when a device adopts a foreign inode (see MakeDevArgs.adoptInode). */
export type AdoptHook = (dev: Cdev) => void;

/**
 * The device registry (FreeBSD's kern_conf.c): make_dev, destroy_dev, aliases, dependencies,
 * cloning, foreign inodes, the event stream. It knows nothing of mounts: it records changes in
 * the inode table's change log and the filesystem side (../mount) catches up. The public `Kernel`
 * (../devfs.ts) is this registry with its filesystem side attached. One per process is usual;
 * several are allowed (each worker_thread may have its own) and they share the inode table.
 */
export class DeviceRegistry {
  /** @internal the global namespace tree. */
  readonly ns = new Namespace();
  /** @internal devices by inode (dense array: inodes are small and reused). */
  readonly byIno: (Cdev | undefined)[] = [];
  /** Sysctl tree drivers publish into. */
  readonly sysctl = new Sysctl();
  /** @internal */ readonly clones = new CloneRegistry();
  /** FreeBSD devfs rulesets (the standard ones are loaded at creation). */
  readonly rules: Rules;
  /** The event stream (REGISTER, UNREGISTER, CHANGE, LOOKUP, OPEN, CLOSE, NOTIFY, ...). */
  readonly events: Events;
  /** @internal event sink (the Events stream). */
  sink: EventSink;
  private readonly missHooks = new MissHooks();
  private readonly adoptHooks: AdoptHook[] = [];
  private readonly foreign = new ForeignInodes(this);
  /**
   * @internal the change-log tag of the inodes this registry allocates: TAG_KERNEL, or a foreign
   * tag when the registry runs in an isolated driver's worker (its names are kept with the slots).
   */
  inodeTag = TAG_KERNEL;

  constructor() {
    this.rules = new Rules();
    loadStandardRules(this.rules);
    this.events = new Events();
    this.sink = this.events;
    this.missHooks.add((name, seq) => this.events.autoload(name, undefined, seq));
    this.sysctl.create('kern.devfs.generation', { get: () => this.generation, description: 'devfs_generation: changes to the inode table' });
    this.sysctl.create('kern.devfs.devices', { get: () => this.ns.size, description: 'devices and aliases registered by this kernel' });
  }

  /** devfs_generation: the process-wide count of inode-table changes. */
  get generation(): number {
    return native.devfsGeneration();
  }

  /** Creates a device; throws a DevfsError (EINVAL, ENAMETOOLONG, EEXIST) and changes nothing on failure. */
  make_dev<Softc = any>(devsw: Cdevsw<Softc>, unit: number, uid: number, gid: number, mode: number, fmt: string, ...args: unknown[]): Cdev<Softc>;
  make_dev<Softc = any>(devsw: Cdevsw<Softc>, unit: number, uid: number, gid: number, mode: number, fmt: string): Cdev<Softc> {
    // the format arguments without a rest array (one allocation per call even when empty)
    // eslint-disable-next-line prefer-rest-params
    const args = arguments.length > 6 ? Array.prototype.slice.call(arguments, 6) : NO_ARGS;
    // An override of make_dev_s (the isolated plugin host announces devices there) sees every make_dev.
    if (this.make_dev_s !== DeviceRegistry.prototype.make_dev_s) return this.make_dev_s({ devsw, unit, uid, gid, mode }, fmt, ...args);
    return this.makeDev(devsw, unit, uid, gid, mode, undefined, undefined, undefined, undefined, undefined, fmt, args);
  }

  /**
   * make_dev with an options object. Every failure is a DevfsError and leaves nothing behind
   * (with or without MAKEDEV_CHECKNAME: the name is always validated before anything changes).
   */
  make_dev_s<Softc = any>(a: MakeDevArgs<Softc>, fmt: string, ...args: unknown[]): Cdev<Softc>;
  make_dev_s<Softc = any>(a: MakeDevArgs<Softc>, fmt: string): Cdev<Softc> {
    // eslint-disable-next-line prefer-rest-params
    const args = arguments.length > 2 ? Array.prototype.slice.call(arguments, 2) : NO_ARGS;
    if (typeof a !== 'object' || a === null) throw noCdevsw(fmt);
    return this.makeDev(a.devsw, a.unit, a.uid, a.gid, a.mode, a.flags, a.drv1, a.drv2, a.cred, a.adoptInode, fmt, args);
  }

  /** make_dev_s with MakeDevArgs' fields one by one (make_dev makes no options object). */
  private makeDev<Softc>(devsw: Cdevsw<Softc>, unitArg: number | undefined, uidArg: number | undefined, gidArg: number | undefined,
    modeArg: number | undefined, flagsArg: number | undefined, drv1: Softc | undefined, drv2: unknown, cred: Cred | undefined,
    adopt: MakeDevArgs['adoptInode'], fmt: string, args: readonly unknown[]): Cdev<Softc> {
    const { name, unit, uid, gid, mode, mflags, dflags } = checkMakeDev(devsw, unitArg, uidArg, gidArg, modeArg, flagsArg, adopt, fmt, args);
    this.ns.checkFree(name);
    const siCred = cred === undefined ? undefined : snapshotCred(cred, name);
    let key: number; // the inode and its slot generation, packed as the native table keys them
    if (adopt) {
      const { ino, gen } = adopt;
      if (!native.inodeIsLive(ino, gen)) throw devfsError('ENXIO', 'make_dev', name, 'adopted inode is not live');
      key = packKey(ino, gen);
    } else {
      const tag = this.inodeTag;
      key = native.inodeInsert(tag, tag !== TAG_KERNEL && Buffer.byteLength(name) < 64 ? name : undefined);
      if (key === 0) throw devfsError('ENFILE', 'make_dev', name, 'inode table is full');
    }
    const flags = (mflags & MAKEDEV_ETERNAL ? SI_ETERNAL : 0) | ((adopt ? adopt.cloned === true : inCloneContext()) ? SI_CLONED : 0);
    // createdGen: this thread's stamp (above every generation its mounts read before, never above
    // one read after; reads nothing another thread's make_dev writes, unlike devfsGeneration())
    const dev = new Cdev(name, devsw, unit, uid, gid, mode, key, native.generationStamp(), flags);
    const ino = dev.inode;
    if (drv1 !== undefined) dev.si_drv1 = drv1;
    if (drv2 !== undefined) dev.si_drv2 = drv2;
    if (siCred !== undefined) dev.x().cred = siCred;
    if (dflags & D_AUTOOWN) {
      const x = dev.x();
      x.defaultUid = dev.uid;
      x.defaultGid = dev.gid;
    }
    this.ns.insert(dev, dev.createdGen);
    // A live device still on this inode was adopted and its registrar cleared the slot (now
    // reused) before we read that CLEAR: drop it now, or the CLEAR, finding this device, is lost.
    const stale = this.byIno[ino];
    if (stale !== undefined && !stale.dying) void this.foreign.destroy(stale);
    this.byIno[ino] = dev;
    // Adoption is a change too: the foreign insert's own log record may have been read (by a view
    // created or caught up in between) before this device existed, so every ruleset evaluates it now.
    if (adopt) for (const h of this.adoptHooks) h(dev);
    this.emitKernel('REGISTER', dev.persistent ? registerPersistent : registerTransient, dev, dev.perm, devsw.d_name, false);
    return dev;
  }

  /** Adds another name for `dev`; it appears in every mount as a relative symlink. */
  make_dev_alias(dev: Cdev, fmt: string, ...args: unknown[]): Cdev {
    if (!(dev instanceof Cdev)) throw badArg('target', 'a Cdev', dev, 'make_dev_alias');
    if (dev.dying) throw devfsError('ENXIO', 'make_dev_alias', dev.si_name, 'target device does not exist');
    const alias = this.make_dev_s({ devsw: dev.si_devsw, unit: dev.unit, uid: dev.uid, gid: dev.gid, mode: 0o755 }, fmt, ...args);
    alias.flags |= SI_ALIAS;
    alias.x().aliasOf = dev;
    (dev.x().aliases ??= new Set()).add(alias);
    return alias;
  }

  /** Makes `child` depend on `parent`: destroying the parent destroys the child first. */
  dev_depends(parent: Cdev, child: Cdev): void {
    if (!(parent instanceof Cdev)) throw badArg('parent', 'a Cdev', parent, 'dev_depends');
    if (!(child instanceof Cdev)) throw badArg('child', 'a Cdev', child, 'dev_depends');
    if (parent === child) throw devfsError('EINVAL', 'dev_depends', parent.si_name, 'a device cannot depend on itself');
    if (destroys(child, parent)) throw devfsError('EINVAL', 'dev_depends', child.si_name, 'dependency cycle');
    if (parent.dying || child.dying) throw devfsError('ENXIO', 'dev_depends', child.si_name);
    const cx = child.x();
    if (cx.parent) cx.parent.ext?.children?.delete(child);
    cx.parent = parent;
    (parent.x().children ??= new Set()).add(child);
  }

  /**
   * Destroys `dev`, its children and its aliases. The names disappear at once and new calls get
   * ENXIO; blocked handles are woken (d_purge is called while calls are in flight); the promise
   * resolves when every in-flight driver call has returned and every cdevpriv destructor ran.
   * Inside a driver method use destroy_dev_sched (waiting there would deadlock).
   */
  destroy_dev(dev: Cdev): Promise<void> {
    if (!(dev instanceof Cdev)) return Promise.reject(badArg('device', 'a Cdev', dev, 'destroy_dev'));
    if (dev.ext?.destroyed) return dev.ext.destroyed;
    if (dev.flags & SI_DESTROYED) return DESTROYED;
    if (dev.flags & SI_ETERNAL) return Promise.reject(devfsError('EBUSY', 'destroy_dev', dev.si_name, 'device was created MAKEDEV_ETERNAL'));
    if (dev.ext === undefined) { // no children, aliases, handles or cdevpriv: nothing to wait for, nothing to allocate
      this.unregister(dev);
      dev.flags |= SI_DESTROYED;
      return DESTROYED;
    }
    const victims: Cdev[] = [];
    collectVictims(dev, victims);
    for (const v of victims) this.unregister(v);
    const done = Promise.all(victims.map(finishDestroy)).then(() => undefined);
    for (const v of victims) v.x().destroyed = done;
    return done;
  }

  /** Schedules destroy_dev without waiting (safe inside d_close and other driver methods); false when already being destroyed or eternal. */
  destroy_dev_sched(dev: Cdev, cb?: () => void): boolean {
    if (!(dev instanceof Cdev)) throw badArg('device', 'a Cdev', dev, 'destroy_dev_sched');
    if (cb !== undefined) arg.fn(cb, 'callback', 'destroy_dev_sched', dev.si_name);
    if (dev.ext?.destroyed || (dev.flags & SI_ETERNAL)) return false;
    setImmediate(() => {
      this.destroy_dev(dev).then(
        () => cb?.(),
        (err) => process.emitWarning(`devfs: destroy_dev_sched(${dev.si_name}) failed: ${(err as Error).message}`),
      );
    });
    return true;
  }

  /** Turns the open in progress (only inside d_open/d_fdopen) into a handle with its own ops and data. */
  fdclone(file: DevFile, ops: Fileops, data: unknown): void {
    fdclone(file, ops, data);
  }

  /** Attaches per-open private data; its destructor runs once, on last close of the handle or on destroy. */
  devfs_set_cdevpriv(file: DevFile, data: unknown, dtor?: (data: unknown) => void): void {
    setCdevpriv(file, data, dtor);
  }

  /** The private data set on this handle (ENOENT when none). */
  devfs_get_cdevpriv(file: DevFile): unknown {
    return getCdevpriv(file);
  }

  /** Registers a clone handler for lookup misses (prefix-indexed, priority ordered). Returns its remover. */
  onClone(handler: CloneHandler, opts: { priority?: number; prefix?: string } = {}): () => void {
    arg.fn(handler, 'clone handler', 'onClone');
    arg.object(opts, 'options', 'onClone');
    const priority = arg.optInt(opts.priority, 'priority', 'onClone', -0x80000000, 0x7fffffff, 1000);
    return this.clones.add(handler, priority, arg.optString(opts.prefix, 'prefix', 'onClone', ''));
  }

  /** A lowest-free unit allocator (clone_create). */
  unitAllocator(max?: number): UnitAllocator {
    if (max !== undefined) arg.int(max, 'max unit', 'unitAllocator', 0, 0x7fffffff);
    return createUnitAllocator(max);
  }

  /** The device (or alias) with this global name. */
  lookupDev(name: string): Cdev | undefined {
    arg.string(name, 'name', 'lookupDev');
    this.syncForeign();
    const e = this.ns.lookup(name.charCodeAt(0) === 47 ? name.replace(/^\/+/, '') : name);
    return e instanceof Cdev ? e : undefined;
  }

  /** Every device and alias in creation order within each directory. */
  devices(): IterableIterator<Cdev> {
    return this.ns.devices();
  }

  /**
   * Runs the clone handlers matching `name` (a lookup miss). Returns the device one of them created
   * or claimed, else undefined. A throwing handler is reported and treated as declining.
   */
  runCloners(name: string, cred: Cred = ROOT): Cdev | undefined {
    arg.string(name, 'name', 'runCloners');
    arg.cred(cred, 'runCloners', name);
    for (const h of this.clones.matching(name)) {
      let dev: Cdev | undefined;
      try {
        dev = asCloner(() => h(name, cred));
      } catch (err) {
        if (!(err instanceof DevfsError)) process.emitWarning(`devfs: clone handler for '${name}' threw: ${(err as Error).message}`);
        continue;
      }
      if (dev) return dev;
    }
    return undefined;
  }

  /**
   * Lets a driver adopt inodes a native thread inserted with `tag` (e.g. interfaces discovered by
   * the tap driver's netlink thread). `adopt` normally calls make_dev_s with `adoptInode`.
   */
  onForeign(tag: number, adopt: ForeignAdopter, release?: ForeignRelease): () => void {
    arg.int(tag, 'tag', 'onForeign', 0, 0xffffffff);
    arg.fn(adopt, 'adopter', 'onForeign');
    if (release !== undefined) arg.fn(release, 'release', 'onForeign');
    if (tag === TAG_KERNEL) throw devfsError('EINVAL', 'onForeign', String(tag), 'tag 0 belongs to the kernel');
    return this.foreign.add(tag, adopt, release);
  }

  /** Processes foreign inserts/clears appended to the change log since the last call. */
  syncForeign(): void {
    this.foreign.sync();
  }

  /** Adds an async hook run on an open miss (the plugin host's MODLOAD). Returns its remover. */
  onMiss(hook: MissHook): () => void {
    arg.fn(hook, 'hook', 'onMiss');
    return this.missHooks.add(hook);
  }

  /** @internal adds a hook run when a device adopts a foreign inode (the filesystem side's views evaluate it at once). */
  onAdopt(hook: AdoptHook): void {
    this.adoptHooks.push(hook);
  }

  /** @internal runs the miss hooks; true when one of them loaded something (open retries once). */
  runMissHooks(name: string, lookupSeq?: number): Promise<boolean> {
    return this.missHooks.run(name, lookupSeq);
  }

  /** Emits an event (listeners run later, never inside this call); returns its sequence number. */
  emit(e: KernelEvent): number {
    arg.object(e, 'event', 'events.emit');
    return this.sink.emit(e);
  }

  /**
   * The kernel's own events: queued deferred, built at delivery when someone receives them
   * (EventSink.emitDeferred; `clock` false when `build` sets the time itself).
   */
  private emitKernel<A, B, C>(type: KernelEvent['type'], build: EventBuilder<A, B, C>, a: A, b: B, c: C, clock: boolean): number {
    const sink = this.sink;
    return sink.emitDeferred ? sink.emitDeferred(type, build, a, b, c, clock) : sink.emit(build(a, b, c, 0, Date.now()));
  }

  /** @internal true when an event of `type` would reach a listener or an action rule now. */
  wantsEvent(type: KernelEvent['type']): boolean {
    return this.sink.wants === undefined || this.sink.wants(type);
  }

  private unregister(dev: Cdev): void {
    dev.flags |= SI_DYING;
    this.ns.remove(dev);
    if (this.byIno[dev.inode] === dev) this.byIno[dev.inode] = undefined;
    native.inodeClear(dev.inode, dev.gen);
    const x = dev.ext;
    if (x?.parent) x.parent.ext?.children?.delete(dev);
    if (x?.aliasOf) x.aliasOf.ext?.aliases?.delete(dev);
    if (x?.waits) for (const w of [...x.waits]) w();
    this.emitKernel('UNREGISTER', unregistered, dev, undefined, dev.si_devsw.d_name, true);
  }

}
