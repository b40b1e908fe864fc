import type { Cred } from '../cred';
import { devfsError, toDevfsError } from '../errors';
import { D_TRACKCLOSE, O_ACCMODE, O_RDONLY, O_RDWR, O_WRONLY, O_NONBLOCK, O_APPEND, O_CREAT, O_EXCL, O_TRUNC } from '../constants';
import { callDriver } from '../kernel/inflight';
import type { Cdev } from '../kernel/cdev';
import { DevFile } from '../file/devfile';
import { permits, R_OK, W_OK } from './access';
import type { Mount } from './mount';
import type { Resolved } from './node';

const STRING_FLAGS: Record<string, number> = {
  r: O_RDONLY, 'r+': O_RDWR, rs: O_RDONLY, 'rs+': O_RDWR, w: O_WRONLY | O_CREAT | O_TRUNC, 'w+': O_RDWR | O_CREAT | O_TRUNC,
  a: O_WRONLY | O_APPEND | O_CREAT, 'a+': O_RDWR | O_APPEND | O_CREAT, rn: O_RDONLY | O_NONBLOCK, 'r+n': O_RDWR | O_NONBLOCK,
  wn: O_WRONLY | O_NONBLOCK,
};

/** Converts fs-style flag strings ('r', 'r+', 'w', 'a', plus 'n' for O_NONBLOCK) to numbers. */
export function parseOpenFlags(flags: number | string): number {
  if (typeof flags === 'number' && Number.isInteger(flags) && flags >= 0) return flags;
  if (typeof flags === 'string' && flags in STRING_FLAGS) return STRING_FLAGS[flags];
  throw devfsError('EINVAL', 'open', String(flags), `bad open flags '${String(flags)}'`);
}

/**
 * open(2) on a mount: resolves (cloning on a miss, retrying once after the kernel's miss hooks,
 * e.g. MODLOAD), checks read/write permission against this mount's attributes, runs
 * d_fdopen/d_open (which may fdclone), and applies auto-ownership.
 */
export async function openDevice(m: Mount, path: string, rawFlags: number | string, cred: Cred): Promise<DevFile> {
  const flags = parseOpenFlags(rawFlags);
  if ((flags & O_EXCL) && (flags & O_CREAT)) throw devfsError('EEXIST', 'open', path);
  let r: Resolved;
  try {
    r = m.resolve(path, cred, true, 'open', true);
  } catch (err) {
    if ((err as { code?: string }).code !== 'ENOENT' || !(await m.kernel.runMissHooks(path))) throw err;
    r = m.resolve(path, cred, true, 'open', true);
  }
  if (r.kind === 'dir') throw devfsError('EISDIR', 'open', path);
  if (r.kind !== 'dev') throw devfsError('ENXIO', 'open', path);
  const dev = r.dev;
  const acc = flags & O_ACCMODE;
  const want = acc === O_RDONLY ? R_OK : acc === O_WRONLY ? W_OK : R_OK | W_OK;
  const a = m.attrsOf(dev);
  if (!permits(cred, a.uid, a.gid, a.mode, want)) throw devfsError('EACCES', 'open', path);
  return openCdev(m, dev, flags, cred, r.path);
}

async function openCdev(m: Mount, dev: Cdev, flags: number, cred: Cred, path: string): Promise<DevFile> {
  const kernel = m.kernel;
  const file = new DevFile(dev, flags, cred, {
    mount: m.name,
    path,
    stat: () => m.statOf({ kind: 'dev', dev, path }),
    closed: (f) => closeFile(m, f),
  });
  kernel.autoOwnOpen(dev, cred);
  dev.usecount++;
  const sw = dev.si_devsw;
  file.cloneAllowed = true;
  try {
    await callDriver(dev, 'open', () => (sw.d_fdopen ? sw.d_fdopen(dev, flags, file) : sw.d_open?.(dev, flags, file)));
  } catch (err) {
    dev.usecount--;
    kernel.autoOwnClose(dev);
    throw toDevfsError(err, 'open', path);
  } finally {
    file.cloneAllowed = false;
  }
  if (file.ops) {
    // fdclone: the handle now belongs to its own ops; the cloner node is not held open.
    dev.usecount--;
    kernel.autoOwnClose(dev);
    file.dev = undefined;
  } else {
    (dev.x().files ??= new Set()).add(file);
  }
  kernel.emit({ type: 'OPEN', name: dev.si_name, mount: m.name, ino: dev.inode, uid: cred.uid, gid: cred.gid, data: { flags, cloned: !!file.ops } });
  return file;
}

async function closeFile(m: Mount, file: DevFile): Promise<void> {
  const kernel = m.kernel;
  let failure: unknown;
  if (file.ops) {
    try {
      await file.ops.fo_close?.(file);
    } catch (err) {
      failure = err;
    }
    file.runPrivDtor();
    kernel.emit({ type: 'CLOSE', name: file.path, mount: m.name, data: { cloned: true } });
  } else {
    const dev = file.dev!;
    dev.ext?.files?.delete(file);
    dev.usecount--;
    if (!dev.dying && (((dev.si_devsw.d_flags ?? 0) & D_TRACKCLOSE) !== 0 || dev.usecount === 0)) {
      const sw = dev.si_devsw;
      if (sw.d_close) {
        try {
          await callDriver(dev, 'close', () => sw.d_close!(dev, file.flags, file));
        } catch (err) {
          failure = err;
        }
      }
    }
    file.runPrivDtor();
    kernel.autoOwnClose(dev);
    kernel.emit({ type: 'CLOSE', name: dev.si_name, mount: m.name, ino: dev.inode, uid: file.cred.uid });
  }
  if (failure && (failure as { code?: string }).code !== 'ENXIO') throw toDevfsError(failure, 'close', file.path);
}
