import type { Cdev, Kernel } from '@devfs/core';
import { GID_OPERATOR } from '@devfs/core';
import { Disk } from '../disk';
import { WindowStore } from '../store/window';
import { assignLabels } from '../table/labels';
import { scanDisk, standardWatch, touches } from '../table/scan';
import type { PartitionInfo, ScanResult } from '../table/types';
import { mdCdevsw } from './cdevsw';
import type { DiskSoftc } from './softc';
import type { MdUnit, PartitionNode } from './unit';
import { FsLinks } from './fslinks';

/** What a partition-table NOTIFY event carries in `data.event`. */
export type MdNotify = 'table-changed' | 'table-corrupt' | 'table-warnings' | 'partition-error' | 'label-error';

interface Wanted {
  name: string;
  info: PartitionInfo;
  label?: string;
}

/** Identity of a partition node: what, if changed, means the node must be re-made. */
const keyOf = (w: Wanted) => JSON.stringify([w.name, w.info.start, w.info.sectors, w.label ?? null, w.info.uuid ?? null]);

/**
 * Keeps a disk's children in step with its partition table: scans it, destroys the children whose
 * name, extent or label changed or vanished and makes the new ones with dev_depends, plus
 * `gpt/<label>` aliases. Corrupt tables and warnings are NOTIFY events.
 */
export class Partitioner {
  private readonly fsLinks: FsLinks;

  /** A partitioner that creates nodes in `kernel`. */
  constructor(private readonly kernel: Kernel) {
    this.fsLinks = new FsLinks(kernel, (u, event, data) => this.notify(u, event, data));
  }

  /** The watch list a fresh disk starts with (table areas, before any scan). */
  initialWatch(disk: Disk) {
    return standardWatch(disk.sectors, disk.sectorSize);
  }

  /** Queues a rescan of `u` behind any running one; resolves with its result. */
  rescan(u: MdUnit): Promise<ScanResult | undefined> {
    const run = u.queue.then(() => this.scanAndApply(u));
    u.queue = run.catch(() => undefined);
    return run;
  }

  /** Destroys partition nodes (and their aliases) and closes their windows. */
  private async destroyNodes(nodes: PartitionNode[]): Promise<void> {
    await Promise.all(nodes.map((c) => this.kernel.destroy_dev(c.dev).catch(() => undefined)));
    await Promise.all(nodes.map((c) => c.window.close()));
  }

  /** After a write to the disk itself: rescan (awaited) when it touched table sectors. */
  async afterDiskWrite(u: MdUnit, offset: number, length: number): Promise<void> {
    if (touches(u.watch, u.disk.sectorSize, offset, length)) await this.rescan(u);
  }

  private async scanAndApply(u: MdUnit): Promise<ScanResult | undefined> {
    if (u.dev.dying) return u.scan;
    const { result, watch } = await scanDisk(u.disk);
    u.watch = watch;
    u.scan = result;
    if (!result.ok) {
      // A table that cannot be read (corrupt, or the store failed) changes nothing: the children of
      // the last good scan stay, with their open handles (a table rewritten in several writes is
      // briefly inconsistent); only a readable table — or none at all — replaces them.
      this.notify(u, 'table-corrupt', { scheme: result.scheme, fault: result.fault, message: result.error.message, warnings: result.warnings });
      return result;
    }
    if (result.warnings.length > 0) this.notify(u, 'table-warnings', { scheme: result.scheme, warnings: result.warnings });
    u.scheme = result.scheme;
    const wanted = this.wanted(u, result);
    const keys = wanted.map(keyOf);
    const signature = JSON.stringify(keys);
    if (signature === u.signature || u.dev.dying) {
      await this.fsLinks.refresh(u);
      return result;
    }
    // Only partitions whose name, extent or label changed are destroyed and re-made; the others
    // (and handles open on them) stay.
    const keep = new Set(keys);
    const stale = u.children.filter((c) => !keep.has(c.key));
    u.children = u.children.filter((c) => keep.has(c.key));
    await this.destroyNodes(stale);
    if (u.dev.dying) return result;
    const have = new Map(u.children.map((c) => [c.key, c]));
    for (const w of wanted) {
      const kept = have.get(keyOf(w));
      if (kept) kept.info = w.info;
      else this.addChild(u, w);
    }
    u.children.sort((a, b) => a.info.index - b.info.index);
    u.signature = signature;
    await this.fsLinks.refresh(u);
    this.notify(u, 'table-changed', {
      scheme: result.scheme,
      partitions: u.children.map((c) => ({ name: c.name, start: c.info.start, sectors: c.info.sectors, ...(c.label ? { label: c.label } : {}) })),
    });
    return result;
  }

  private wanted(u: MdUnit, result: ScanResult & { ok: true }): Wanted[] {
    if (result.scheme === 'none') return [];
    const labels = result.scheme === 'gpt' ? assignLabels(result.partitions) : new Map<number, string>();
    const sep = result.scheme === 'gpt' ? 'p' : 's';
    return result.partitions.map((info) => ({ name: `${u.name}${sep}${info.index}`, info, label: labels.get(info.index) }));
  }

  private addChild(u: MdUnit, w: Wanted): void {
    const ss = u.disk.sectorSize;
    const base = w.info.start * ss;
    const window = new WindowStore(u.store, base, w.info.sectors * ss);
    const softc: DiskSoftc = {
      disk: new Disk(window, ss, w.name, u.disk.readOnly),
      opens: 0,
      // A write through a partition that lands on table sectors (an EBR inside the extended
      // partition) rescans the parent in the background: awaiting it here would wait for this very
      // node's destruction.
      afterWrite: async (offset, length) => {
        if (touches(u.watch, ss, base + offset, length)) void this.rescan(u);
      },
    };
    let dev: Cdev;
    try {
      dev = this.kernel.make_dev_s({ devsw: mdCdevsw, unit: u.unit, uid: 0, gid: GID_OPERATOR, mode: 0o640, drv1: softc }, '%s', w.name);
    } catch (err) {
      this.notify(u, 'partition-error', { partition: w.name, message: (err as Error).message });
      void window.close();
      return;
    }
    try {
      this.kernel.dev_depends(u.dev, dev);
    } catch (err) {
      this.notify(u, 'partition-error', { partition: w.name, message: (err as Error).message });
      void this.kernel.destroy_dev(dev).catch(() => undefined).then(() => window.close());
      return;
    }
    const node: PartitionNode = { key: keyOf(w), name: w.name, dev, softc, window, info: w.info };
    u.children.push(node);
    if (w.label) {
      try {
        node.alias = this.kernel.make_dev_alias(node.dev, 'gpt/%s', w.label);
        node.label = w.label;
      } catch (err) {
        this.notify(u, 'label-error', { partition: w.name, label: w.label, message: (err as Error).message });
      }
    }
    if (w.info.uuid) {
      try {
        node.idAlias = this.kernel.make_dev_alias(node.dev, 'gptid/%s', w.info.uuid.toLowerCase());
      } catch (err) {
        this.notify(u, 'label-error', { partition: w.name, label: `gptid/${w.info.uuid.toLowerCase()}`, message: (err as Error).message });
      }
    }
  }

  /** @internal */ notify(u: MdUnit, event: MdNotify, data: Record<string, unknown>): void {
    this.kernel.emit({ type: 'NOTIFY', name: u.name, data: { driver: 'md', event, ...data } });
  }
}
