/**
 * User and group names → numbers for PERMISSIONS, read from passwd(5)/group(5) files. Node has
 * no getpwnam(3); these two files are the source of truth on the hosts devfs runs on.
 */
import * as fs from 'fs';

/** Name → id tables of one passwd/group file pair. */
export interface Accounts {
  users: Map<string, number>;
  groups: Map<string, number>;
}

function readTable(file: string): Map<string, number> {
  const table = new Map<string, number>();
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return table;                       // no file: only numeric ids resolve
  }
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 3 || f[0] === '' || f[0].startsWith('#')) continue;
    const id = Number(f[2]);
    if (Number.isInteger(id) && id >= 0 && !table.has(f[0])) table.set(f[0], id);
  }
  return table;
}

/** Reads the passwd and group files (missing files give empty tables). */
export function readAccounts(passwdFile = '/etc/passwd', groupFile = '/etc/group'): Accounts {
  return { users: readTable(passwdFile), groups: readTable(groupFile) };
}

/** A decimal id, or a name looked up in `table`; undefined when neither. */
export function resolveId(word: string, table: Map<string, number>): number | undefined {
  if (/^[0-9]+$/.test(word)) {
    const n = Number(word);
    return n <= 0xffffffff ? n : undefined;
  }
  return table.get(word);
}
