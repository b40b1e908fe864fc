import type { Cred } from '../cred';
import { devfsError, toDevfsError } from '../errors';
import { badArg } from '../validate';
import { D_TRACKCLOSE, O_ACCMODE, O_RDONLY, O_RDWR, O_WRONLY, O_NONBLOCK, O_APPEND, O_CREAT, O_EXCL, O_TRUNC } from '../constants';
import { callDriver } from '../kernel/inflight';
import { autoOwnClose, autoOwnOpen } from '../kernel/autoown';
import type { Cdev } from '../kernel/cdev';
import { DevFile, FileContext } from '../file/devfile';
import type { OpenState } from '../file/cdevpriv';
import { permits, R_OK, W_OK } from './access';
import type { Mount } from './mount';
import type { Miss, Resolved } from './node';

const STRING_FLAGS: Record<string, number> = {
  r: O_RDONLY, 'r+': O_RDWR, rs: O_RDONLY, 'rs+': O_RDWR, w: O_WRONLY | O_CREAT | O_TRUNC, 'w+': O_RDWR | O_CREAT | O_TRUNC,
  a: O_WRONLY | O_APPEND | O_CREAT, 'a+': O_RDWR | O_APPEND | O_CREAT, rn: O_RDONLY | O_NONBLOCK, 'r+n': O_RDWR | O_NONBLOCK,
  wn: O_WRONLY | O_NONBLOCK,
};

/** Converts fs-style flag strings ('r', 'r+', 'w', 'a', plus 'n' for O_NONBLOCK) to numbers. */
export function parseOpenFlags(flags: number | string): number {
  if (typeof flags === 'number' && Number.isInteger(flags) && flags >= 0) return flags;
  if (typeof flags === 'string' && flags in STRING_FLAGS) return STRING_FLAGS[flags];
  throw badArg('open flags', "fs.constants bits or one of 'r', 'r+', 'w', 'w+', 'a', 'a+', 'rn', 'r+n', 'wn'", flags, 'open');
}

/**
 * open(2) on a mount: resolves (cloning on a miss, retrying once after the kernel's miss hooks,
 * e.g. MODLOAD), checks read/write permission against this mount's attributes, runs
 * d_fdopen/d_open (which may fdclone), and applies auto-ownership.
 */
export async function openDevice(m: Mount, path: string, rawFlags: number | string, cred: Cred): Promise<DevFile> {
  const flags = parseOpenFlags(rawFlags);
  if ((flags & O_EXCL) && (flags & O_CREAT)) throw devfsError('EEXIST', 'open', path);
  let r: Resolved | Miss = m.walk(path, cred, true, 'open', true);
  if (r.kind === 'miss') {
    // the miss hooks act on the mount's LOOKUP of this miss; a miss before the last component has
    // emitted none: announce it here with mount and opener (else the hook would emit a global one
    // that no mount's follower, nor $mount in an action, could tell apart)
    const seq = r.seq > 0 ? r.seq : m.kernel.emit({ type: 'LOOKUP', name: path, mount: m.name, uid: cred.uid, gid: cred.gid });
    if (!(await m.kernel.runMissHooks(path, seq > 0 ? seq : undefined))) throw devfsError('ENOENT', 'open', path);
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

/** What the finalizer of a leaked handle needs: everything but the DevFile itself. */
interface Leak { m: Mount; dev: Cdev | undefined; flags: number; cred: Cred; ctx: FileContext; state: OpenState }

// OPEN and CLOSE are built only while a listener or an action rule receives them (they are
// most of an open/close's cost otherwise, and nobody would see them).

/**
 * A handle garbage-collected without close() is closed here (usecount, d_close/fo_close on the
 * last close, cdevpriv destructor, auto-ownership, CLOSE event), so a leaked handle never pins a
 * device or the host resource behind it.
 */
const leaks = new FinalizationRegistry<Leak>((l) => {
  const f = new DevFile(l.dev, l.flags, l.cred, l.ctx, l.state);
  closeFile(l.m, f, true).catch((err) =>
    process.emitWarning(`devfs: closing leaked handle of '${l.ctx.path}' failed: ${(err as Error).message}`));
});

/**
 * The handle's context. Built in its own function on purpose: closures created next to the DevFile
 * would share its scope in V8 and keep the handle alive, defeating the leak finalizer.
 */
function fileContext(m: Mount, dev: Cdev, path: string): FileContext {
  return {
    mount: m.name,
    path,
    stat: () => m.statOf({ kind: 'dev', dev, path }),
    closed: (f) => {
      leaks.unregister(f);
      return closeFile(m, f, false);
    },
  };
}

/**
 * @internal opens `dev` on `m` without a path walk or an access check (the caller did both): runs
 * d_fdopen/d_open (which may fdclone) and auto-ownership. An isolated driver's worker opens its
 * devices this way for a main-thread open that already passed the main mount's checks.
 */
export async function openCdev(m: Mount, dev: Cdev, flags: number, cred: Cred, path: string): Promise<DevFile> {
  const kernel = m.kernel;
  const ctx = fileContext(m, dev, path);
  const file = new DevFile(dev, flags, cred, ctx);
  autoOwnOpen(dev, cred);
  dev.usecount++;
  const sw = dev.si_devsw;
  file.cloneAllowed = true;
  try {
    await callDriver(dev, 'open', () => (sw.d_fdopen ? sw.d_fdopen(dev, flags, file) : sw.d_open?.(dev, flags, file)));
  } catch (err) {
    dev.usecount--;
    autoOwnClose(dev);
    throw toDevfsError(err, 'open', path);
  } finally {
    file.cloneAllowed = false;
  }
  if (file.ops) {
    // fdclone: the handle now belongs to its own ops; the cloner node is not held open.
    dev.usecount--;
    autoOwnClose(dev);
    file.dev = undefined;
  }
  leaks.register(file, { m, dev: file.dev, flags, cred, ctx, state: file.state }, file);
  if (kernel.wantsEvent('OPEN')) kernel.emit({ type: 'OPEN', name: dev.si_name, mount: m.name, ino: dev.inode, uid: cred.uid, gid: cred.gid, data: { flags, cloned: !!file.ops } });
  return file;
}

async function closeFile(m: Mount, file: DevFile, leaked: boolean): Promise<void> {
  const kernel = m.kernel;
  let failure: unknown;
  if (file.ops) {
    try {
      await file.ops.fo_close?.(file);
    } catch (err) {
      failure = err;
    }
    file.runPrivDtor();
    if (kernel.wantsEvent('CLOSE')) kernel.emit({ type: 'CLOSE', name: file.path, mount: m.name, data: { cloned: true, leaked } });
  } else {
    const dev = file.dev!;
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
    autoOwnClose(dev);
    if (kernel.wantsEvent('CLOSE')) kernel.emit({ type: 'CLOSE', name: dev.si_name, mount: m.name, ino: dev.inode, uid: file.cred.uid, data: { leaked } });
  }
  if (failure && (failure as { code?: string }).code !== 'ENXIO') throw toDevfsError(failure, 'close', file.path);
}
