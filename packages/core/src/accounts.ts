import * as fs from 'fs';

/**
 * User and group names ↔ ids for rules (`user NAME`, `group NAME`) and event actions
 * (`PERMISSIONS user.group mode`), read from passwd(5) and group(5) files (by default the host's
 * /etc/passwd and /etc/group; Node has no getpwnam). A file is re-read only when its inode, size or
 * mtime changes.
 */

/** One name ↔ id table (users or groups). */
interface IdTable {
  byName: Map<string, number>;
  byId: Map<number, string>;
  /** group(5) only: gid → member user names (the fourth field). */
  members: Map<number, string[]>;
}

interface CacheEntry {
  key: string;
  table: IdTable;
}

const EMPTY: IdTable = { byName: new Map(), byId: new Map(), members: new Map() };

/** Parses `name:password:id:...` lines; comments, NIS `+`/`-` entries and bad lines are skipped. */
export function parseIdFile(text: string): IdTable {
  const table: IdTable = { byName: new Map(), byId: new Map(), members: new Map() };
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#') || line.startsWith('+') || line.startsWith('-')) continue;
    const fields = line.split(':');
    if (fields.length < 3 || fields[0] === '' || !/^\d+$/.test(fields[2])) continue;
    const id = Number(fields[2]);
    if (!table.byName.has(fields[0])) table.byName.set(fields[0], id);
    if (!table.byId.has(id)) table.byId.set(id, fields[0]);
    if (fields.length >= 4 && fields[3]) table.members.set(id, fields[3].trim().split(',').filter(Boolean));
  }
  return table;
}

/** Reads passwd/group files with a stat-keyed cache. */
export class Accounts {
  private readonly cache = new Map<string, CacheEntry>();

  /** `passwdFile` and `groupFile` default to the host's /etc/passwd and /etc/group. */
  constructor(readonly passwdFile = '/etc/passwd', readonly groupFile = '/etc/group') {}

  private table(file: string): IdTable {
    let st: fs.Stats;
    try {
      st = fs.statSync(file);
    } catch {
      this.cache.delete(file);
      return EMPTY;
    }
    const key = `${st.ino}:${st.size}:${st.mtimeMs}`;
    const hit = this.cache.get(file);
    if (hit && hit.key === key) return hit.table;
    const table = parseIdFile(fs.readFileSync(file, 'utf8'));
    this.cache.set(file, { key, table });
    return table;
  }

  /** uid of a user name, undefined when unknown. */
  uidOf(name: string): number | undefined {
    return this.table(this.passwdFile).byName.get(name);
  }

  /** gid of a group name, undefined when unknown. */
  gidOf(name: string): number | undefined {
    return this.table(this.groupFile).byName.get(name);
  }

  /** First user name with this uid, undefined when none. */
  userName(uid: number): string | undefined {
    return this.table(this.passwdFile).byId.get(uid);
  }

  /** First group name with this gid, undefined when none. */
  groupName(gid: number): string | undefined {
    return this.table(this.groupFile).byId.get(gid);
  }

  /** gids of the groups that list `user` as a member (its supplementary groups). */
  groupsOf(user: string): number[] {
    const out: number[] = [];
    for (const [gid, members] of this.table(this.groupFile).members) if (members.includes(user)) out.push(gid);
    return out;
  }
}

/** A decimal id, or a name looked up with `byName`; undefined when neither. */
export function resolveId(word: string, byName: (name: string) => number | undefined): number | undefined {
  if (/^[0-9]+$/.test(word)) {
    const n = Number(word);
    return n <= 0xffffffff ? n : undefined;
  }
  return byName(word);
}
