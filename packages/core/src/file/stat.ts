/**
 * stat(2) of a devfs entry as one mount shows it. Defined on the file side because drivers'
 * fileops (`fo_stat`) and open handles (`DevFile.stat`) speak it too; mounts fill it in.
 */
export interface DevStat {
  ino: number; mode: number; nlink: number; uid: number; gid: number; rdev: number; size: number;
  atimeMs: number; mtimeMs: number; ctimeMs: number; birthtimeMs: number;
  isCharacterDevice(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean;
}
