/** DevStat → WireStat, and the path join used by readdir -l. */
import type { Cred, DevStat, Mount } from '@devfs/core';
import { S_IFDIR, S_IFLNK, S_IFMT } from '@devfs/core';
import type { WireStat } from '../../protocol/methods';

/** The wire form of a stat (the target of a symlink included). */
export function wireStat(m: Mount, path: string, st: DevStat, cred: Cred): WireStat {
  const fmt = st.mode & S_IFMT;
  const type = fmt === S_IFDIR ? 'dir' : fmt === S_IFLNK ? 'symlink' : 'char';
  const w: WireStat = {
    ino: st.ino, mode: st.mode, nlink: st.nlink, uid: st.uid, gid: st.gid, rdev: st.rdev, size: st.size,
    atimeMs: st.atimeMs, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, birthtimeMs: st.birthtimeMs, type,
  };
  if (type === 'symlink') w.target = m.readlink(path, cred);
  return w;
}

/** `dir/name` in mount-relative form ('' is the root). */
export function join(dir: string, name: string): string {
  const d = dir.replace(/^\/+|\/+$/g, '');
  return d === '' ? name : `${d}/${name}`;
}
