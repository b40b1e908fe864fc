/** chmod(1) modes: octal (`0660`) or symbolic clauses (`u+w,g-r`, `a=rw`, `o=`, `+x`, `u=g`). */
import { devfsError } from '@devfs/core/base';

const WHO: Record<string, number> = { u: 0o4700, g: 0o2070, o: 0o1007 };
const CLAUSE = /^([ugoa]*)((?:[-+=](?:[ugo]|[rwxXst]*))+)$/;

/** The permission bits `perm` (r, w, x, X, s, t) select for the classes in `mask`. */
function bitsOf(perm: string, mask: number, current: number, isDir: boolean): number {
  let b = 0;
  for (const p of perm) {
    if (p === 'r') b |= 0o444;
    else if (p === 'w') b |= 0o222;
    else if (p === 'x') b |= 0o111;
    else if (p === 'X') { if (isDir || (current & 0o111)) b |= 0o111; }
    else if (p === 's') b |= 0o6000;
    else if (p === 't') b |= 0o1000;
  }
  return b & mask;
}

/** Copies class `from`'s rwx (`u=g`) into every class of `mask`. */
function copyOf(from: string, mask: number, current: number): number {
  const shift = from === 'u' ? 6 : from === 'g' ? 3 : 0;
  const rwx = (current >> shift) & 7;
  return ((rwx << 6) | (rwx << 3) | rwx) & mask & 0o777;
}

/**
 * The new permission bits for `spec` applied to `current` (a directory when `isDir`). EINVAL for
 * anything chmod(1) would not take. Without who (`+x`), the clause applies to all classes (the
 * umask is not consulted: devfs attributes are per mount, not created by a process).
 */
export function applyMode(spec: string, current: number, isDir = false): number {
  if (/^[0-7]{1,4}$/.test(spec)) return parseInt(spec, 8);
  let mode = current & 0o7777;
  for (const clause of spec.split(',')) {
    const m = CLAUSE.exec(clause);
    if (!m) throw devfsError('EINVAL', 'chmod', spec, `bad mode '${spec}': octal (0660) or [ugoa][+-=][rwxXst], comma-separated (u+w,g-r)`);
    const who = m[1] === '' || m[1].includes('a') ? 'ugo' : m[1];
    const mask = [...who].reduce((acc, w) => acc | WHO[w], 0);
    for (const [, op, perm] of m[2].matchAll(/([-+=])([ugo]|[rwxXst]*)/g)) {
      const bits = /^[ugo]$/.test(perm) ? copyOf(perm, mask, mode) : bitsOf(perm, mask, mode, isDir);
      if (op === '+') mode |= bits;
      else if (op === '-') mode &= ~bits;
      else mode = (mode & ~mask) | bits;
    }
  }
  return mode & 0o7777;
}

