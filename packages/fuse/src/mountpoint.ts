/**
 * The export's mount point: what is mounted there now (from /proc/self/mountinfo, never a stat
 * of the point itself, which would hang on a stopped server) and the replacement of a devfs
 * export left behind by a daemon that was killed (its point answers ENOTCONN).
 */
import * as fs from 'fs';
import * as path from 'path';
import { devfsError } from '@devfs/core';
import { native } from '@devfs/native';

/** One line of /proc/self/mountinfo that matters here. */
export interface MountEntry { point: string; fstype: string; source: string }

/** Undoes mountinfo's octal escapes (`\040` for a space, ...). */
function unescape(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** The topmost mount at `dir` (an absolute path), if any. */
export function mountAt(dir: string): MountEntry | undefined {
  let found: MountEntry | undefined;
  for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const f = line.split(' ');
    const sep = f.indexOf('-');
    if (sep < 0 || f.length < sep + 3) continue;
    const point = unescape(f[4]);
    if (point === dir) found = { point, fstype: f[sep + 1], source: unescape(f[sep + 2]) };
  }
  return found;
}

/** True for a FUSE mount made by a devfs export (type fuse.devfs, source devfs). */
export function isDevfsExport(m: MountEntry): boolean {
  return m.fstype === 'fuse.devfs' || (m.fstype.startsWith('fuse') && m.source === 'devfs');
}

/** stat of `dir` without blocking the loop, bounded by `ms` (a stopped server never answers). */
function probe(dir: string, ms: number): Promise<string> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve('ETIMEDOUT'), ms);
    fs.promises.stat(dir).then(() => resolve('OK'), (e: NodeJS.ErrnoException) => resolve(e.code ?? 'EIO'))
      .finally(() => clearTimeout(t));
  });
}

/**
 * Makes `dir` ready for a new export: creates it when missing; a devfs export whose server is
 * gone (ENOTCONN) is detached and reported (`replacedStale`); anything else mounted there, or a
 * devfs export that still answers, is EBUSY.
 */
export async function prepareMountPoint(dir: string): Promise<{ replacedStale: boolean }> {
  const m = mountAt(dir);
  if (m) {
    if (!isDevfsExport(m)) throw devfsError('EBUSY', 'mount', dir, `a ${m.fstype} filesystem is already mounted there`);
    const state = await probe(dir, 2000);
    if (state !== 'ENOTCONN') {
      throw devfsError('EBUSY', 'mount', dir, state === 'OK' ? 'another devfs export is mounted and answering there' : `the devfs export there does not answer (${state})`);
    }
    native.fuseUnmount(dir);
  }
  await fs.promises.mkdir(dir, { recursive: true });
  return { replacedStale: m !== undefined };
}
