/** mdconfig(8) sizes: a number of 512-byte sectors, or a number with b, k, m, g or t. */
import { devfsError } from '@devfs/core/base';

const UNITS: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** Bytes of an mdconfig size ('16m' → 16777216, '2048' → 1048576). */
export function parseSize(text: string): number {
  const m = /^(\d+)([bkmgt]?)$/i.exec(text.trim());
  if (!m) throw devfsError('EINVAL', 'md create', text, `bad size '${text}' (e.g. 64m, 1g, 512k, 4096b, or a sector count)`);
  const n = Number(m[1]) * (m[2] ? UNITS[m[2].toLowerCase()] : 512);
  if (!Number.isSafeInteger(n) || n <= 0) throw devfsError('EINVAL', 'md create', text, `size out of range '${text}'`);
  return n;
}
