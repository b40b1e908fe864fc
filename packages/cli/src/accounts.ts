/** User and group names of this host (/etc/passwd, /etc/group), for access maps and chown. */
import * as fs from 'fs';

/** name → id and id → name tables of one colon-separated account file. */
export interface AccountTable { byName: Map<string, number>; byId: Map<number, string>; members: Map<number, string[]> }

/** Parses /etc/passwd- or /etc/group-shaped text (missing file → empty table). */
export function readAccountFile(file: string): AccountTable {
  const t: AccountTable = { byName: new Map(), byId: new Map(), members: new Map() };
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return t;
  }
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 3 || f[0].startsWith('#')) continue;
    const id = Number(f[2]);
    if (!Number.isInteger(id)) continue;
    if (!t.byName.has(f[0])) t.byName.set(f[0], id);
    if (!t.byId.has(id)) t.byId.set(id, f[0]);
    if (f.length >= 4 && f[3]) t.members.set(id, f[3].trim().split(',').filter(Boolean));
  }
  return t;
}

/** Users and groups of this host. */
export function hostAccounts(): { users: AccountTable; groups: AccountTable } {
  return { users: readAccountFile('/etc/passwd'), groups: readAccountFile('/etc/group') };
}

/** A uid/gid from a number or a name ('-1' / '' keep the field); EINVAL-ready undefined on unknown names. */
export function idOf(spec: string, table: AccountTable): number | undefined {
  if (spec === '') return -1;
  if (/^-?\d+$/.test(spec)) return Number(spec);
  return table.byName.get(spec);
}
