import type { Cdev } from '@devfs/core';
import type { Disk } from '../disk';
import type { BackingStore } from '../store/types';
import type { WindowStore } from '../store/window';
import type { SectorRanges } from '../table/scan';
import type { PartitionInfo, ScanResult } from '../table/types';
import type { DiskSoftc } from './softc';

/** A node that may carry a filesystem-label link (`ext2fs/<label>`, `msdosfs/<LABEL>`). */
export interface FsLinked {
  /** The link's name (`ext2fs/root`) and the alias node, while the superblock has a label. */
  fsName?: string;
  fsAlias?: Cdev;
}

/** A partition node: a window onto its disk. */
export interface PartitionNode extends FsLinked {
  /** Name, extent and label, as compared across rescans. */
  key: string;
  name: string;
  dev: Cdev;
  softc: DiskSoftc;
  window: WindowStore;
  info: PartitionInfo;
  /** Sanitised GPT label and its `gpt/<label>` alias, when it has one. */
  label?: string;
  alias?: Cdev;
  /** `gptid/<partition uuid>` alias (GPT). */
  idAlias?: Cdev;
}

/** One md disk: its store, node, table watch and partition children. */
export interface MdUnit extends FsLinked {
  readonly unit: number;
  readonly name: string;
  readonly type: 'malloc' | 'vnode';
  readonly file?: string;
  readonly store: BackingStore;
  readonly disk: Disk;
  readonly softc: DiskSoftc;
  dev: Cdev;
  /** Sectors whose change means the table must be read again. */
  watch: SectorRanges;
  /** The last scan's result. */
  scan?: ScanResult;
  /** Scheme of the last table read (what the children come from). */
  scheme: 'mbr' | 'gpt' | 'none';
  /** Identity of the current children (names, extents, labels) to skip no-op rescans. */
  signature: string;
  children: PartitionNode[];
  /** Serialises rescans of this disk. */
  queue: Promise<unknown>;
}
