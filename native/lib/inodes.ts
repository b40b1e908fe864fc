/**
 * Packed inode keys: `gen * 2**24 + ino`, as `inodeInsert` returns them. The generation occupies
 * the high 29 bits, so every key is a safe integer; arithmetic, not bit operators (which are 32-bit).
 */

const INO_SPAN = 2 ** 24;

/** Inode number of a packed key. */
export function inoOf(key: number): number {
  return key % INO_SPAN;
}

/** Slot generation of a packed key. */
export function genOf(key: number): number {
  return Math.floor(key / INO_SPAN);
}

/** Packs (ino, gen) into a key; throws RangeError when either is outside its field. */
export function packKey(ino: number, gen: number): number {
  if (!Number.isInteger(ino) || ino < 0 || ino >= INO_SPAN) throw new RangeError(`ino out of range: ${ino}`);
  if (!Number.isInteger(gen) || gen < 0 || gen >= 2 ** 29) throw new RangeError(`gen out of range: ${gen}`);
  return gen * INO_SPAN + ino;
}
