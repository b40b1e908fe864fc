import { devfsError } from '../errors';

/** Unit-number allocator handed out by `kernel.unitAllocator()` (FreeBSD's clone_create/unrhdr). */
export interface UnitAllocator {
  /** Allocates the lowest free unit, or exactly `unit` (EEXIST if taken, EINVAL if out of range). */
  alloc(unit?: number): number;
  /** Frees a unit (freeing a free unit is EINVAL). */
  free(unit: number): void;
  /** True while `unit` is allocated. */
  has(unit: number): boolean;
}

/**
 * Lowest-free unit allocator over a growable bitmap with a "lowest possibly free" hint, so
 * allocation is amortised O(1) and units are reused lowest first.
 */
export function createUnitAllocator(max = 0x7fffffff): UnitAllocator {
  let bits = new Uint32Array(4);
  let hint = 0;
  const has = (u: number) => (u >>> 5) < bits.length && (bits[u >>> 5] & (1 << (u & 31))) !== 0;
  const grow = (u: number) => {
    if ((u >>> 5) < bits.length) return;
    let n = bits.length;
    while (n <= (u >>> 5)) n *= 2;
    const nb = new Uint32Array(n);
    nb.set(bits);
    bits = nb;
  };
  return {
    has,
    alloc(unit?: number): number {
      if (unit !== undefined) {
        if (!Number.isInteger(unit) || unit < 0 || unit > max) throw devfsError('EINVAL', 'unit_alloc', String(unit), `unit out of range 0..${max}`);
        if (has(unit)) throw devfsError('EEXIST', 'unit_alloc', String(unit), `unit ${unit} is in use`);
        grow(unit);
        bits[unit >>> 5] |= 1 << (unit & 31);
        return unit;
      }
      let w = hint >>> 5;
      while (w < bits.length && bits[w] === 0xffffffff) w++;
      let u = w << 5;
      while (has(u)) u++;
      if (u > max) throw devfsError('EAGAIN', 'unit_alloc', undefined, `all ${max + 1} units are in use`);
      grow(u);
      bits[u >>> 5] |= 1 << (u & 31);
      hint = u + 1;
      return u;
    },
    free(unit: number): void {
      if (!has(unit)) throw devfsError('EINVAL', 'unit_free', String(unit), `unit ${unit} is not allocated`);
      bits[unit >>> 5] &= ~(1 << (unit & 31));
      if (unit < hint) hint = unit;
    },
  };
}
