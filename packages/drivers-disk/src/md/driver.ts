import type { Kernel } from '@devfs/core';
import { arg, devfsError, GID_OPERATOR, isErrno, wrapError } from '@devfs/core';
import { Disk } from '../disk';
import type { ScanResult } from '../table/types';
import { mdCdevsw } from './cdevsw';
import { MD_MAX_UNIT, MdCreateOptions, openStore, validateOptions } from './options';
import { Partitioner } from './partitions';
import type { DiskSoftc } from './softc';
import type { MdUnit } from './unit';

/** What `md.info(name)` reports about a disk. */
export interface MdInfo {
  name: string;
  unit: number;
  type: 'malloc' | 'vnode';
  file?: string;
  mediaSize: number;
  sectorSize: number;
  opens: number;
  scheme: 'mbr' | 'gpt' | 'none';
  /** Set when the last scan could not read the table (the partitions of the last good one stay). */
  fault?: string;
  partitions: Array<{ name: string; index: number; start: number; sectors: number; type: string; label?: string; name_on_media?: string }>;
}

/**
 * The `md` driver (FreeBSD md(4)/mdconfig): memory- and file-backed disks `mdN` with sector-aligned
 * I/O, disk ioctls and MBR/GPT partitions as child nodes. Disks exist only by `create`: a lookup
 * of a missing `mdN` creates nothing, because a disk needs a backing store.
 */
export class MdDriver {
  /** Driver name. */
  readonly name = 'md';
  private readonly units = new Map<string, MdUnit>();
  private readonly unitNumbers;
  private readonly partitioner: Partitioner;

  /** A driver creating its nodes in `kernel`. */
  constructor(readonly kernel: Kernel) {
    this.unitNumbers = kernel.unitAllocator(MD_MAX_UNIT);
    this.partitioner = new Partitioner(kernel);
  }

  /** Nothing to set up: disks appear only through create(). */
  attach(): void {}

  /** Destroys every disk (forced). */
  async detach(): Promise<void> {
    await Promise.all([...this.units.keys()].map((n) => this.destroy(n, { force: true }).catch(() => undefined)));
  }

  /** Creates a disk and scans its partition table; resolves with its name (`md0`). */
  async create(options: MdCreateOptions): Promise<string> {
    const o = validateOptions(options);
    const unit = this.allocUnit(o.unit);
    let store;
    try {
      store = await openStore(o);
    } catch (err) {
      this.unitNumbers.free(unit);
      throw err;
    }
    const name = `md${unit}`;
    const disk = new Disk(store, o.sectorSize, name);
    const softc: DiskSoftc = { disk, opens: 0, afterWrite: (off, len) => this.partitioner.afterDiskWrite(u, off, len) };
    let dev;
    try {
      dev = this.kernel.make_dev_s({ devsw: mdCdevsw, unit, uid: 0, gid: GID_OPERATOR, mode: 0o640, drv1: softc }, 'md%d', unit);
    } catch (err) {
      await store.close();
      this.unitNumbers.free(unit);
      throw err;
    }
    const u: MdUnit = {
      unit, name, type: o.type, file: o.file, store, disk, softc, dev,
      watch: this.partitioner.initialWatch(disk), scheme: 'none', signature: '[]', children: [], queue: Promise.resolve(),
    };
    this.units.set(name, u);
    await this.partitioner.rescan(u);
    return name;
  }

  /**
   * Destroys a disk, its partitions and label links. EBUSY while it or a partition is open, unless
   * `force`: then open handles fail with ENXIO from here on.
   */
  async destroy(name: string, opts: { force?: boolean } = {}): Promise<void> {
    const u = this.unit(name, 'md.destroy');
    const force = arg.optBool(arg.object<{ force?: boolean }>(opts, 'options', 'md.destroy', name).force, 'force', 'md.destroy', false, name);
    if (!force) {
      const busy = [u.softc, ...u.children.map((c) => c.softc)].some((s) => s.opens > 0);
      if (busy) throw devfsError('EBUSY', 'md.destroy', name, 'disk or one of its partitions is open');
    }
    this.units.delete(name);
    await this.kernel.destroy_dev(u.dev);
    await u.queue;
    await Promise.all(u.children.map((c) => c.window.close()));
    u.children = [];
    await u.store.close();
    this.unitNumbers.free(u.unit);
  }

  /** Reads the partition table again and updates the children; resolves with the scan's result. */
  async rescan(name: string): Promise<ScanResult> {
    const u = this.unit(name, 'md.rescan');
    const r = await this.partitioner.rescan(u);
    if (!r) throw devfsError('ENXIO', 'md.rescan', name, 'disk is being destroyed');
    return r;
  }

  /** Names of the disks, by unit. */
  list(): string[] {
    return [...this.units.values()].sort((a, b) => a.unit - b.unit).map((u) => u.name);
  }

  /** Describes a disk and its current partitions. */
  info(name: string): MdInfo {
    const u = this.unit(name, 'md.info');
    const scan = u.scan;
    return {
      name: u.name, unit: u.unit, type: u.type, ...(u.file ? { file: u.file } : {}),
      mediaSize: u.disk.mediaSize, sectorSize: u.disk.sectorSize, opens: u.softc.opens,
      scheme: u.scheme,
      ...(scan && !scan.ok ? { fault: scan.fault } : {}),
      partitions: u.children.map((c) => ({
        name: c.name, index: c.info.index, start: c.info.start, sectors: c.info.sectors, type: c.info.type,
        ...(c.label ? { label: c.label } : {}), ...(c.info.name !== undefined ? { name_on_media: c.info.name } : {}),
      })),
    };
  }

  /** The unit number for a new disk: `wanted` (EEXIST when taken) or the lowest free one. */
  private allocUnit(wanted: number | undefined): number {
    try {
      return this.unitNumbers.alloc(wanted);
    } catch (err) {
      if (isErrno(err, 'EEXIST')) throw devfsError('EEXIST', 'md.create', `md${wanted}`, `md${wanted} exists`);
      throw wrapError(err, 'md.create', undefined, 'no free md unit');
    }
  }

  private unit(name: string, syscall: string): MdUnit {
    const u = this.units.get(arg.string(name, 'name', syscall).replace(/^\/?(dev\/)?/, ''));
    if (!u) throw devfsError('ENOENT', syscall, name, 'no such md disk');
    return u;
  }
}
