/** Output for people: ls -l lines, stat blocks, event lines, tables. */
import type { DevEvent } from '@devfs/core/base';
import type { Accounts } from '@devfs/core/base';
import type { WireDirent, WireStat } from '../protocol/methods';
import { escapeControl } from '../escape';

/** `crw-rw----` style mode string. */
export function modeString(st: Pick<WireStat, 'mode' | 'type'>): string {
  const t = st.type === 'dir' ? 'd' : st.type === 'symlink' ? 'l' : 'c';
  const m = st.mode;
  const bit = (b: number, c: string) => (m & b ? c : '-');
  const x = (b: number, special: number, on: string, off: string) => (m & special ? (m & b ? on : off) : (m & b ? 'x' : '-'));
  return t + bit(0o400, 'r') + bit(0o200, 'w') + x(0o100, 0o4000, 's', 'S')
    + bit(0o40, 'r') + bit(0o20, 'w') + x(0o10, 0o2000, 's', 'S')
    + bit(0o4, 'r') + bit(0o2, 'w') + x(0o1, 0o1000, 't', 'T');
}

function userName(id: number, a: Accounts): string {
  return a.userName(id) ?? String(id);
}

function groupName(id: number, a: Accounts): string {
  return a.groupName(id) ?? String(id);
}

function date(ms: number): string {
  const d = new Date(ms);
  const mon = d.toLocaleString('en-US', { month: 'short' });
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${mon} ${String(d.getDate()).padStart(2)} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** `ls -l` lines, columns aligned. */
export function lsLong(entries: WireDirent[], accounts: Accounts): string[] {
  const rows = entries.map((e) => {
    const st = e.stat!;
    const size = st.type === 'char' ? `${st.rdev}` : String(st.size);
    const label = st.type === 'symlink' ? `${e.name} -> ${st.target}` : e.name;
    return [modeString(st), String(st.nlink), userName(st.uid, accounts), groupName(st.gid, accounts), size, date(st.mtimeMs), label];
  });
  const widths = [0, 1, 2, 3, 4].map((i) => Math.max(0, ...rows.map((r) => r[i].length)));
  return rows.map((r) => [r[0], r[1].padStart(widths[1]), r[2].padEnd(widths[2]), r[3].padEnd(widths[3]), r[4].padStart(widths[4]), r[5], r[6]].join(' '));
}

/** A stat(1)-like block. */
export function statBlock(path: string, st: WireStat, accounts: Accounts): string {
  return [
    `  File: ${path}${st.type === 'symlink' ? ` -> ${st.target}` : ''}`,
    `  Type: ${st.type === 'char' ? 'character special file' : st.type === 'dir' ? 'directory' : 'symbolic link'}`,
    ` Inode: ${st.ino}  Links: ${st.nlink}${st.type === 'char' ? `  Device: ${st.rdev}` : `  Size: ${st.size}`}`,
    `Access: (${(st.mode & 0o7777).toString(8).padStart(4, '0')}/${modeString(st)})  Uid: (${st.uid}/${userName(st.uid, accounts)})  Gid: (${st.gid}/${groupName(st.gid, accounts)})`,
    `Modify: ${new Date(st.mtimeMs).toISOString()}`,
    `Change: ${new Date(st.ctimeMs).toISOString()}`,
    ` Birth: ${new Date(st.birthtimeMs).toISOString()}`,
  ].join('\n');
}

/** One line per event, udevadm-monitor style: `[seq] HH:MM:SS.mmm TYPE name (mount) key=value ...`, control characters escaped. */
export function formatEvent(e: DevEvent): string {
  const parts = [`[${e.seq}]`, ...(e.time !== undefined ? [new Date(e.time).toISOString().slice(11, 23)] : []), e.type.padEnd(10), e.name || '-'];
  if (e.mount !== undefined) parts.push(`(${e.mount})`);
  if (e.ino !== undefined) parts.push(`ino=${e.ino}`);
  if (e.uid !== undefined) parts.push(`uid=${e.uid}`);
  if (e.gid !== undefined) parts.push(`gid=${e.gid}`);
  if (e.mode !== undefined) parts.push(`mode=${e.mode.toString(8).padStart(4, '0')}`);
  for (const [k, v] of Object.entries(e.data ?? {})) parts.push(`${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return escapeControl(parts.join(' ')); // names and values may come from any client
}

/** Left-aligned columns. */
export function table(rows: string[][]): string[] {
  const w = rows.length ? rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) : [];
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i]))).join('  ').trimEnd());
}
