/** Credentials every call carries (POSIX uid/gid/supplementary groups). */
export interface Cred {
  uid: number;
  gid: number;
  groups?: number[];
}

/** The superuser. */
export const ROOT: Readonly<Cred> = Object.freeze({ uid: 0, gid: 0, groups: Object.freeze([0]) as number[] });

/** True when `cred` has `gid` as its primary or a supplementary group. */
export function groupMember(cred: Cred, gid: number): boolean {
  return cred.gid === gid || (cred.groups !== undefined && cred.groups.includes(gid));
}

/** True for uid 0. */
export function isRoot(cred: Cred): boolean {
  return cred.uid === 0;
}
