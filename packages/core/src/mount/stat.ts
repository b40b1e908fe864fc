import { S_IFCHR, S_IFDIR, S_IFLNK, S_IFMT } from '../constants';
import type { DevStat } from '../file/stat';

export type { DevStat };

/** One directory entry of readdir. */
export interface DevDirent {
  name: string;
  ino: number;
  type: 'char' | 'dir' | 'symlink';
}

/** Concrete DevStat (fields plus the three type predicates). */
export class DevStatImpl implements DevStat {
  ino = 0; mode = 0; nlink = 1; uid = 0; gid = 0; rdev = 0; size = 0;
  atimeMs = 0; mtimeMs = 0; ctimeMs = 0; birthtimeMs = 0;
  isCharacterDevice(): boolean { return (this.mode & S_IFMT) === S_IFCHR; }
  isDirectory(): boolean { return (this.mode & S_IFMT) === S_IFDIR; }
  isSymbolicLink(): boolean { return (this.mode & S_IFMT) === S_IFLNK; }
}
