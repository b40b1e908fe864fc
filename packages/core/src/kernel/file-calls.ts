import { devfsError } from '../errors';
import type { DevFile } from '../file/devfile';
import { arg } from '../validate';
import type { Fileops } from './cdevsw';

/**
 * What a driver calls on an open file from its methods (devfs's side of FreeBSD, not kern_conf's):
 * fdclone and the cdevpriv calls. The registry's methods of the same names delegate here.
 */

/** Turns the open in progress (only inside d_open/d_fdopen) into a handle with its own ops and data. */
export function fdclone(file: DevFile, ops: Fileops, data: unknown): void {
  arg.object(file, 'file', 'fdclone');
  if (!file.cloneAllowed) throw devfsError('EINVAL', 'fdclone', file.path, 'fdclone is only allowed inside d_open/d_fdopen');
  if (!ops || typeof ops !== 'object') throw devfsError('EINVAL', 'fdclone', file.path, 'fdclone needs a Fileops table');
  file.ops = ops;
  file.data = data;
}

/** Attaches per-open private data; its destructor runs once, on last close of the handle or on destroy (EBUSY when set). */
export function setCdevpriv(file: DevFile, data: unknown, dtor?: (data: unknown) => void): void {
  arg.object(file, 'file', 'devfs_set_cdevpriv');
  if (dtor !== undefined) arg.fn(dtor, 'destructor', 'devfs_set_cdevpriv', file.path);
  if (file.priv && !file.priv.done) throw devfsError('EBUSY', 'devfs_set_cdevpriv', file.path, 'private data already set on this handle');
  file.priv = { data, dtor, done: false };
}

/** The private data set on this handle (ENOENT when none). */
export function getCdevpriv(file: DevFile): unknown {
  arg.object(file, 'file', 'devfs_get_cdevpriv');
  if (!file.priv || file.priv.done) throw devfsError('ENOENT', 'devfs_get_cdevpriv', file.path, 'no private data on this handle');
  return file.priv.data;
}
