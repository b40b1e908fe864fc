/**
 * glabel-style filesystem links of an md disk: `ext2fs/<label>` and `msdosfs/<LABEL>` aliases of
 * each partition (or of the disk itself when it has no table), read from the superblocks on every
 * scan; the superblock sectors join the disk's watch list, so a write there (mkfs, tune2fs -L
 * through the FUSE export) rescans and the link follows.
 */
import type { Kernel } from '@devfs/core';
import type { BackingStore } from '../store/types';
import { FS_PROBE_BYTES, readFsLabel } from '../table/fslabel';
import { sanitizeLabel } from '../table/labels';
import type { MdNotify } from './partitions';
import type { FsLinked, MdUnit } from './unit';

/** The link name a volume's first bytes call for, or undefined. */
async function linkName(store: BackingStore): Promise<string | undefined> {
  const n = Math.min(FS_PROBE_BYTES, store.size);
  if (n < 512) return undefined;
  const head = Buffer.alloc(n);
  try {
    await store.read(head, 0);
  } catch {
    return undefined; // a store error is reported by the table scan; no link
  }
  const fs = readFsLabel(head);
  const label = fs?.label ? sanitizeLabel(fs.label) : '';
  return fs && label ? `${fs.kind}/${label}` : undefined;
}

/** Keeps the filesystem-label links of a disk in step with its superblocks. */
export class FsLinks {
  /** Links in `kernel`; failures (a label another disk holds) go to `notify` as label-error. */
  constructor(private readonly kernel: Kernel, private readonly notify: (u: MdUnit, event: MdNotify, data: Record<string, unknown>) => void) {}

  /** Re-reads every volume's superblock and fixes its link; watches the superblock sectors. */
  async refresh(u: MdUnit): Promise<void> {
    const ss = u.disk.sectorSize;
    const probe = Math.ceil(FS_PROBE_BYTES / ss);
    const volumes: Array<[FsLinked, BackingStore, string]> = u.children.length
      ? u.children.map((c) => [c, c.window, c.name])
      : [[u, u.store, u.name]];
    if (u.children.length) await this.set(u, u, undefined, u.name);
    for (const c of u.children) u.watch.push([c.info.start, Math.min(probe, c.info.sectors)]);
    for (const [target, store, name] of volumes) {
      if (u.dev.dying) return;
      await this.set(u, target, await linkName(store), name);
    }
  }

  private async set(u: MdUnit, t: FsLinked, want: string | undefined, volume: string): Promise<void> {
    if (t.fsName === want) return;
    const old = t.fsAlias;
    t.fsAlias = undefined;
    t.fsName = undefined;
    if (old) await this.kernel.destroy_dev(old).catch(() => undefined);
    const dev = u.children.find((c) => c === t)?.dev ?? (t === u ? u.dev : undefined);
    if (!want || !dev || dev.dying) return;
    try {
      t.fsAlias = this.kernel.make_dev_alias(dev, '%s', want);
      t.fsName = want;
    } catch (err) {
      this.notify(u, 'label-error', { partition: volume, label: want, message: (err as Error).message });
    }
  }
}
