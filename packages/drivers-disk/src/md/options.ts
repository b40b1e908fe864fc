import { arg, devfsError } from '@devfs/core';
import { checkSectorSize } from '../disk';
import { MallocStore } from '../store/malloc';
import type { BackingStore } from '../store/types';
import { VnodeStore } from '../store/vnode';

/** Options of `md.create` (mdconfig -a). */
export interface MdCreateOptions {
  /** 'malloc': a sparse memory disk; 'vnode': a disk on an image file. */
  type: 'malloc' | 'vnode';
  /** Bytes; required for malloc; for vnode it grows (sparsely) or limits the image. Whole sectors. */
  size?: number;
  /** Image file of a vnode disk (created when `size` is given and it does not exist). */
  file?: string;
  /** 512 (default) or 4096. */
  sectorSize?: number;
  /** Explicit unit (EEXIST when taken); default the lowest free one. */
  unit?: number;
  /** mdconfig -o readonly: writes fail with EROFS; a vnode image is opened read-only (a read-only file works). */
  readOnly?: boolean;
  /** A vnode `size` larger than the existing image grows it; without this that is EFBIG, the file untouched. */
  grow?: boolean;
}

/** Checked create options. */
export interface ValidOptions {
  type: 'malloc' | 'vnode';
  size?: number;
  file?: string;
  sectorSize: number;
  unit?: number;
  readOnly: boolean;
  grow: boolean;
}

/** Largest md unit (md0..md32767); the allocator's bitmap stays small. */
export const MD_MAX_UNIT = 32767;

const bad = (detail: string) => devfsError('EINVAL', 'md.create', undefined, detail);

/** Validates create options without side effects (EINVAL with the reason). */
export function validateOptions(o: MdCreateOptions): ValidOptions {
  if (!o || typeof o !== 'object') throw bad('options object required');
  if (o.type !== 'malloc' && o.type !== 'vnode') throw bad(`type must be 'malloc' or 'vnode', got ${String(o.type)}`);
  const sectorSize = o.sectorSize ?? 512;
  checkSectorSize(sectorSize);
  if (o.size !== undefined && (!Number.isSafeInteger(o.size) || o.size <= 0 || o.size % sectorSize !== 0)) {
    throw bad(`size must be a positive multiple of ${sectorSize}, got ${o.size}`);
  }
  if (o.unit !== undefined) arg.int(o.unit, 'unit', 'md.create', 0, MD_MAX_UNIT);
  if (o.type === 'malloc') {
    if (o.size === undefined) throw bad('a malloc disk needs a size');
    if (o.file !== undefined) throw bad('file is only for vnode disks');
  } else if (typeof o.file !== 'string' || o.file.length === 0) {
    throw bad('a vnode disk needs a file');
  }
  const readOnly = arg.optBool(o.readOnly, 'readOnly', 'md.create', false);
  const grow = arg.optBool(o.grow, 'grow', 'md.create', false);
  return { type: o.type, size: o.size, file: o.file, sectorSize, unit: o.unit, readOnly, grow };
}

/** Opens the backing store the options describe (EINVAL when an image is smaller than a sector). */
export async function openStore(o: ValidOptions): Promise<BackingStore> {
  if (o.type === 'malloc') return new MallocStore(o.size!);
  const store = await VnodeStore.open(o.file!, { size: o.size, sectorSize: o.sectorSize, readOnly: o.readOnly, grow: o.grow });
  if (store.size === 0) {
    await store.close();
    throw devfsError('EINVAL', 'md.create', o.file, `image is smaller than one ${o.sectorSize}-byte sector`);
  }
  return store;
}
