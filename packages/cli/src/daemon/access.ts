/**
 * Who sees which mount. The peer's credentials come from SO_PEERCRED; its supplementary groups
 * from /etc/group (as the kernel would give a login of that user). uid 0 gets `access.root`
 * (default 'root'); then `access.users` by name or uid, `access.groups` by name or gid; else
 * `access.default` (default 'jail').
 */
import { Accounts, Cred } from '@devfs/core';
import type { AccessConfig } from './config';

/** The host's accounts (re-read only when /etc/passwd or /etc/group change). */
const host = new Accounts();

/** The Cred of a peer uid/gid, with its supplementary groups from /etc/group. */
export function credOf(uid: number, gid: number): Cred {
  const name = host.userName(uid);
  const extra = new Set<number>([gid]);
  if (name) for (const g of host.groupsOf(name)) extra.add(g);
  return { uid, gid, groups: [...extra] };
}

/** The mount name this cred is mapped to. */
export function mountFor(cred: Cred, access: AccessConfig = {}): string {
  if (cred.uid === 0) return access.root ?? 'root';
  const uname = host.userName(cred.uid);
  const u = access.users ?? {};
  const byUser = (uname !== undefined ? u[uname] : undefined) ?? u[String(cred.uid)];
  if (byUser) return byUser;
  const g = access.groups ?? {};
  for (const gid of cred.groups ?? [cred.gid]) {
    const gname = host.groupName(gid);
    const byGroup = (gname !== undefined ? g[gname] : undefined) ?? g[String(gid)];
    if (byGroup) return byGroup;
  }
  return access.default ?? 'jail';
}
