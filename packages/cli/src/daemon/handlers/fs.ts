/** Path and file requests: readdir, stat, readlink, open/read/write/close, chmod, chown, symlink, unlink, mknod. */
import { D_DISK, devfsError } from '@devfs/core';
import type { DevFile } from '@devfs/core';
import { DIOCGMEDIASIZE, DIOCGSECTORSIZE } from '@devfs/drivers-disk';
import type { Session } from '../context';
import { M, WireDirent } from '../../protocol/methods';
import { bool, int, obj, str } from '../../protocol/validate';
import { MAX_IO_BYTES, MAX_OPEN_FILES } from '../../protocol/limits';
import { join, wireStat } from './wire';
import type { Handlers } from './types';

const FLAGS = new Set(['r', 'r+', 'w', 'rn', 'r+n', 'wn']);

/** Handlers of the fs.* methods. */
export function fsHandlers(): Handlers {
  return {
    [M.readdir]: (s, p) => {
      const o = obj(p, M.readdir);
      const path = str(o, 'path', M.readdir, { empty: true });
      const long = bool(o, 'long', M.readdir);
      return s.mount.readdir(path, s.cred).map((d): WireDirent => {
        const e: WireDirent = { name: d.name, ino: d.ino, type: d.type };
        if (long) {
          const full = join(path, d.name);
          e.stat = wireStat(s.mount, full, s.mount.lstat(full, s.cred), s.cred);
        }
        return e;
      });
    },
    [M.stat]: (s, p) => {
      const o = obj(p, M.stat);
      const path = str(o, 'path', M.stat, { empty: true });
      const st = bool(o, 'lstat', M.stat) ? s.mount.lstat(path, s.cred) : s.mount.stat(path, s.cred);
      return wireStat(s.mount, path, st, s.cred);
    },
    [M.readlink]: (s, p) => s.mount.readlink(str(obj(p, M.readlink), 'path', M.readlink), s.cred),
    [M.open]: async (s, p) => {
      const o = obj(p, M.open);
      const path = str(o, 'path', M.open);
      const flags = str(o, 'flags', M.open);
      if (!FLAGS.has(flags)) throw devfsError('EINVAL', M.open, path, `flags must be one of ${[...FLAGS].join(' ')}`);
      if (s.files.size >= MAX_OPEN_FILES) throw devfsError('EMFILE', M.open, path, `at most ${MAX_OPEN_FILES} open files per client`);
      const f = await s.mount.open(path, flags, s.cred);
      const fd = s.nextFd++;
      s.files.set(fd, f);
      return { fd, ...await diskGeometry(f) };
    },
    [M.read]: async (s, p) => {
      const o = obj(p, M.read);
      const f = fileOf(s, int(o, 'fd', M.read, 0, 2 ** 31), M.read);
      const buf = Buffer.alloc(int(o, 'size', M.read, 1, MAX_IO_BYTES));
      const n = await f.read(buf, int(o, 'offset', M.read, 0, Number.MAX_SAFE_INTEGER, true));
      return { data: buf.subarray(0, n).toString('base64'), n };
    },
    [M.write]: async (s, p) => {
      const o = obj(p, M.write);
      const f = fileOf(s, int(o, 'fd', M.write, 0, 2 ** 31), M.write);
      const data = Buffer.from(str(o, 'data', M.write, { max: Math.ceil(MAX_IO_BYTES / 3) * 4, empty: true }), 'base64');
      const at = int(o, 'offset', M.write, 0, Number.MAX_SAFE_INTEGER, true);
      let off = 0;
      while (off < data.length) off += await f.write(data.subarray(off), at === undefined ? undefined : at + off);
      return { n: off };
    },
    [M.close]: async (s, p) => {
      const fd = int(obj(p, M.close), 'fd', M.close, 0, 2 ** 31);
      const f = fileOf(s, fd, M.close);
      s.files.delete(fd);
      await f.close();
      return null;
    },
    [M.chmod]: (s, p) => {
      const o = obj(p, M.chmod);
      s.mount.chmod(str(o, 'path', M.chmod), int(o, 'mode', M.chmod, 0, 0o7777), s.cred);
      return null;
    },
    [M.chown]: (s, p) => {
      const o = obj(p, M.chown);
      s.mount.chown(str(o, 'path', M.chown), int(o, 'uid', M.chown, -1, 2 ** 32 - 2), int(o, 'gid', M.chown, -1, 2 ** 32 - 2), s.cred);
      return null;
    },
    [M.symlink]: (s, p) => {
      const o = obj(p, M.symlink);
      s.mount.symlink(str(o, 'target', M.symlink), str(o, 'path', M.symlink), s.cred);
      return null;
    },
    [M.unlink]: (s, p) => {
      s.mount.unlink(str(obj(p, M.unlink), 'path', M.unlink), s.cred);
      return null;
    },
    [M.mknod]: (s, p) => {
      s.mount.mknod(str(obj(p, M.mknod), 'path', M.mknod), s.cred);
      return null;
    },
  };
}

/** A disk's sector and media size (for the client to align offsets), or nothing for other devices. */
async function diskGeometry(f: DevFile): Promise<{ sectorSize?: number; mediaSize?: number }> {
  if (((f.dev?.si_devsw.d_flags ?? 0) & D_DISK) === 0) return {};
  try {
    return { sectorSize: Number(await f.ioctl(DIOCGSECTORSIZE)), mediaSize: Number(await f.ioctl(DIOCGMEDIASIZE)) };
  } catch {
    return {}; // a D_DISK device of another driver without the md ioctls: the client then does no alignment
  }
}

function fileOf(s: Session, fd: number, method: string) {
  const f = s.files.get(fd);
  if (!f) throw devfsError('EBADF', method, String(fd), 'no such open file on this connection');
  return f;
}
