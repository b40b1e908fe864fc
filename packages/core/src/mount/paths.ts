import { devfsError } from '../errors';
import { badArg } from '../validate';

/** Longest mount-relative path accepted (PATH_MAX). */
export const PATH_MAX = 1024;
/** Longest single component (NAME_MAX). */
export const NAME_MAX = 255;
/** Symlinks followed in one resolution before ELOOP (MAXSYMLINKS). */
export const MAXSYMLINKS = 32;

/** Splits a mount-relative path into components ('' and '/' are the root). */
export function splitPath(path: string, syscall: string): string[] {
  if (typeof path !== 'string') throw badArg('path', 'a string', path, syscall);
  if (path.length > PATH_MAX) throw devfsError('ENAMETOOLONG', syscall, path);
  if (path.indexOf('\0') >= 0) throw devfsError('EINVAL', syscall, path, 'path contains NUL');
  const out: string[] = [];
  for (const c of path.split('/')) {
    if (c === '') continue;
    if (c.length > NAME_MAX) throw devfsError('ENAMETOOLONG', syscall, path);
    out.push(c);
  }
  return out;
}

/** Joins a directory path and a name. */
export function joinPath(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

/** Parent directory path and basename of a normalised path. */
export function splitParent(comps: string[]): { dir: string[]; base: string } {
  return { dir: comps.slice(0, -1), base: comps[comps.length - 1] };
}

/** Relative target of an alias: '../' per directory level of the alias name, then the target name. */
export function aliasTarget(aliasName: string, targetName: string): string {
  let depth = 0;
  for (let i = 0; i < aliasName.length; i++) if (aliasName.charCodeAt(i) === 47) depth++;
  return '../'.repeat(depth) + targetName;
}
