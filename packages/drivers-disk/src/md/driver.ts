import type { Kernel } from '@devfs/core';
import { arg, devfsError, GID_OPERATOR, isErrno, wrapError } from '@devfs/core';
import { Disk } from '../disk';
import type { ScanResult } from '../table/types';
import { mdCdevsw } from './cdevsw';
import { MD_MAX_UNIT, MdCreateOptions, openStore, validateOptions } from './options';
import { Partitioner } from './partitions';
import type { DiskSoftc } from './softc';
import type { MdUnit } from './unit';
import { VnodeStore } from '../store/vnode';

/** Every link name pointing at `u` or its partitions. */
function linksOf(u: MdUnit): string[] {
  const names = [u.fsName, ...u.children.flatMap((c) => [c.alias?.si_name, c.idAlias?.si_name, c.fsName])];
  return names.filter((n): n is string => typeof n === 'string');
}

/** What `md.info(name)` reports about a disk. */
export interface MdInfo {
  name: string;
  unit: number;
  type: 'malloc' | 'vnode';
  file?: string;
  mediaSize: number;
  sectorSize: number;
  opens: number;
  /** Attached read-only (writes get EROFS). */
  readOnly: boolean;
  /** Links to the disk and its partitions (`gpt/...`, `gptid/...`, `ext2fs/...`, `msdosfs/...`). */
  links: string[];
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
  /** Attached images by `dev:ino`: read-write (exclusive) or read-only (shared). */
  private readonly images = new Map<string, { rw: boolean; count: number; names: () => string }>();

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
    const image = store instanceof VnodeStore ? store.identity : undefined;
    try {
      if (image) this.claimImage(image, o.readOnly, o.file!);
    } catch (err) {
      await store.close();
      this.unitNumbers.free(unit);
      throw err;
    }
    const disk = new Disk(store, o.sectorSize, name, o.readOnly);
    const softc: DiskSoftc = { disk, opens: 0, afterWrite: (off, len) => this.partitioner.afterDiskWrite(u, off, len) };
    let dev;
    try {
      dev = this.kernel.make_dev_s({ devsw: mdCdevsw, unit, uid: 0, gid: GID_OPERATOR, mode: 0o640, drv1: softc }, 'md%d', unit);
    } catch (err) {
      this.releaseImage(image);
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
    this.releaseImage(u.store instanceof VnodeStore ? u.store.identity : undefined);
    this.unitNumbers.free(u.unit);
  }

  /**
   * mdconfig -r: a new size (whole sectors). Growing a vnode disk grows its image file; shrinking
   * loses what lies past the new end, so it needs `force`. The table is read again (a GPT backup
   * header at the old end is then found where the primary says). EROFS on a read-only disk.
   */
  async resize(name: string, size: number, opts: { force?: boolean } = {}): Promise<MdInfo> {
    const u = this.unit(name, 'md.resize');
    const ss = u.disk.sectorSize;
    arg.int(size, 'size', 'md.resize', ss, Number.MAX_SAFE_INTEGER, name);
    if (size % ss !== 0) throw devfsError('EINVAL', 'md.resize', name, `size must be a multiple of ${ss}, got ${size}`);
    const force = arg.optBool(arg.object<{ force?: boolean }>(opts, 'options', 'md.resize', name).force, 'force', 'md.resize', false, name);
    if (u.disk.readOnly) throw devfsError('EROFS', 'md.resize', name, 'the disk is attached read-only');
    if (size < u.disk.mediaSize && !force) {
      throw devfsError('EINVAL', 'md.resize', name, `shrinking from ${u.disk.mediaSize} to ${size} bytes loses the data past the new end: pass force (md resize -f)`);
    }
    if (!u.store.resize) throw devfsError('EOPNOTSUPP', 'md.resize', name, 'this store cannot change size');
    await u.store.resize(size);
    u.disk.refreshSize();
    await this.partitioner.rescan(u);
    return this.info(name);
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
      readOnly: u.disk.readOnly, links: linksOf(u),
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

  /** Records an attached image; EBUSY when it is attached read-write already, or read-only and now wanted read-write. */
  private claimImage(id: string, readOnly: boolean, file: string): void {
    const held = this.images.get(id);
    if (held && (held.rw || !readOnly)) {
      throw devfsError('EBUSY', 'md.create', file, `the image is attached already (${held.names()})${held.rw ? '' : ' read-only'}: attach it once read-write, or read-only only (-o readonly)`);
    }
    const entry = held ?? { rw: false, count: 0, names: () => [...this.units.values()].filter((x) => x.store instanceof VnodeStore && x.store.identity === id).map((x) => x.name).join(', ') };
    entry.rw ||= !readOnly;
    entry.count++;
    this.images.set(id, entry);
  }

  private releaseImage(id: string | undefined): void {
    const held = id ? this.images.get(id) : undefined;
    if (!held || !id) return;
    if (--held.count === 0) this.images.delete(id);
    else held.rw = false; // the only read-write attach is exclusive, so what stays is read-only
  }

  private unit(name: string, syscall: string): MdUnit {
    const u = this.units.get(arg.string(name, 'name', syscall).replace(/^\/?(dev\/)?/, ''));
    if (!u) throw devfsError('ENOENT', syscall, name, 'no such md disk');
    return u;
  }
}
