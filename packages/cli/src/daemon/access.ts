/**
 * Who sees which mount. The peer's credentials come from SO_PEERCRED; its supplementary groups
 * from /etc/group (as the kernel would give a login of that user). uid 0 gets `access.root`
 * (default 'root'); then `access.users` by name or uid, `access.groups` by name or gid; else
 * `access.default` (default 'jail').
 */
import type { Cred } from '@devfs/core';
import type { AccessConfig } from './config';
import { hostAccounts } from '../accounts';

/** The Cred of a peer uid/gid, with its supplementary groups from /etc/group. */
export function credOf(uid: number, gid: number): Cred {
  const { users, groups } = hostAccounts();
  const name = users.byId.get(uid);
  const extra = new Set<number>([gid]);
  if (name) for (const [g, members] of groups.members) if (members.includes(name)) extra.add(g);
  return { uid, gid, groups: [...extra] };
}

/** The mount name this cred is mapped to. */
export function mountFor(cred: Cred, access: AccessConfig = {}): string {
  if (cred.uid === 0) return access.root ?? 'root';
  const { users, groups } = hostAccounts();
  const uname = users.byId.get(cred.uid);
  const u = access.users ?? {};
  const byUser = (uname !== undefined ? u[uname] : undefined) ?? u[String(cred.uid)];
  if (byUser) return byUser;
  const g = access.groups ?? {};
  for (const gid of cred.groups ?? [cred.gid]) {
    const gname = groups.byId.get(gid);
    const byGroup = (gname !== undefined ? g[gname] : undefined) ?? g[String(gid)];
    if (byGroup) return byGroup;
  }
  return access.default ?? 'jail';
}
