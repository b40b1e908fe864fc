import type { Cred } from '../cred';
import { groupMember } from '../cred';

/** Access bits as in access(2). */
export const R_OK = 4;
export const W_OK = 2;
export const X_OK = 1;

/**
 * POSIX permission check of `want` (R_OK|W_OK|X_OK) against an entry's own mode/uid/gid:
 * owner bits for the owner, group bits for a group member, other bits otherwise; uid 0 passes.
 */
export function permits(cred: Cred, uid: number, gid: number, mode: number, want: number): boolean {
  if (cred.uid === 0) return true;
  let bits: number;
  if (cred.uid === uid) bits = (mode >> 6) & 7;
  else if (groupMember(cred, gid)) bits = (mode >> 3) & 7;
  else bits = mode & 7;
  return (bits & want) === want;
}
