/**
 * udevadm-style requests: devices.info (udevadm info), devices.trigger (udevadm trigger: REGISTER
 * replayed for existing devices so event actions apply to them), events.settle (udevadm settle).
 * Every answer is limited to what the caller's mount shows it.
 */
import { devfsError } from '@devfs/core';
import type { Session } from '../context';
import { M } from '../../protocol/methods';
import { obj, str } from '../../protocol/validate';
import { wireStat } from './wire';
import type { Handlers } from './types';
import { privileged, shows } from './visibility';

interface MdLike { list(): string[]; info(name: string): { name: string; file?: string; partitions: Array<{ name: string; label?: string; name_on_media?: string }>; links?: string[] } & Record<string, unknown> }
interface TapLike { list(): string[]; info(name: string): Record<string, unknown> }

/** A loaded driver by name, or undefined. */
function loaded<T>(s: Session, name: string): T | undefined {
  try {
    return s.state.host.driver<T>(name);
  } catch {
    return undefined;
  }
}

/** A disk's or partition's attributes, parent and children, as this caller may see them. */
function diskView(s: Session, name: string): { attributes?: Record<string, unknown>; parent?: string; children?: string[] } {
  const md = loaded<MdLike>(s, 'md');
  if (!md) return {};
  for (const disk of md.list()) {
    const info = md.info(disk);
    const part = info.partitions.find((p) => p.name === name);
    if (disk !== name && !part) continue;
    const own = privileged(s);
    if (part) return { parent: shows(s, disk) ? disk : undefined, attributes: own ? { ...part } : { name: part.name } };
    const { file, links: _l, partitions, ...rest } = info;
    return {
      attributes: own ? { ...rest, ...(file ? { file } : {}) } : rest,
      children: partitions.map((p) => p.name).filter((p) => shows(s, p)),
    };
  }
  return {};
}

/** Most entries walked when looking for user symlinks to a device (a mount is small; this bounds a pathological one). */
const MAX_WALK = 10_000;

/** Symlinks of the caller's mount (ln -s, as it sees them) that resolve to inode `ino`. */
function userLinksTo(s: Session, ino: number): string[] {
  const found: string[] = [];
  const dirs = [''];
  let walked = 0;
  while (dirs.length && walked < MAX_WALK) {
    const dir = dirs.shift()!;
    let entries;
    try { entries = s.mount.readdir(dir, s.cred); } catch { continue; }
    for (const e of entries) {
      if (++walked > MAX_WALK) break;
      const p = dir ? `${dir}/${e.name}` : e.name;
      if (e.type === 'dir') dirs.push(p);
      else if (e.type === 'symlink') {
        try { if (s.mount.stat(p, s.cred).ino === ino) found.push(p); } catch { /* dangling or forbidden */ }
      }
    }
  }
  return found;
}

/** devices.info: what `devfs info PATH` prints. */
function info(s: Session, path: string): unknown {
  const stat = wireStat(s.mount, path, s.mount.stat(path, s.cred), s.cred);
  if (stat.type !== 'char') throw devfsError('EINVAL', 'info', path, `'${path}' is a directory, not a device`);
  const dev = [...s.state.host.kernel.devices()].find((d) => !d.isAlias && !d.dying && d.inode === stat.ino);
  if (!dev) throw devfsError('ENOENT', 'info', path, 'the device went away');
  const aliases = [...s.state.host.kernel.devices()].filter((d) => d.aliasOf === dev && shows(s, d.si_name)).map((d) => d.si_name);
  const links = [...aliases, ...userLinksTo(s, stat.ino).filter((l) => !aliases.includes(l))];
  const tap = dev.si_devsw.d_name === 'tap' ? loaded<TapLike>(s, 'tap') : undefined;
  let attributes: Record<string, unknown> | undefined;
  let extra: { parent?: string; children?: string[] } = {};
  if (tap && tap.list().includes(dev.si_name)) {
    const { netns, ...rest } = tap.info(dev.si_name);
    attributes = privileged(s) ? { ...rest, netns } : rest;
  } else if (dev.si_devsw.d_name === 'md') {
    const v = diskView(s, dev.si_name);
    attributes = v.attributes;
    extra = { parent: v.parent, children: v.children };
  }
  return {
    name: dev.si_name, path, driver: dev.si_devsw.d_name, unit: dev.unit, inode: stat.ino, rdev: stat.rdev,
    uid: stat.uid, gid: stat.gid, mode: stat.mode & 0o7777, mount: s.mount.name, links, ...extra, ...(attributes ? { attributes } : {}),
  };
}

/** Handlers of devices.info, devices.trigger and events.settle. */
export function udevHandlers(): Handlers {
  return {
    [M.info]: (s, p) => info(s, str(obj(p, M.info), 'path', M.info, { empty: true })),
    [M.trigger]: (s, p) => {
      if (s.cred.uid !== 0) throw devfsError('EPERM', M.trigger, undefined, 'only root may replay device events');
      const o = obj(p ?? {}, M.trigger);
      const match = regexOf(str(o, 'match', M.trigger, { optional: true, max: 1024 })); // root only: a trusted pattern
      const k = s.state.host.kernel;
      const replayed: string[] = [];
      for (const dev of [...k.devices()]) {
        if (dev.isAlias || dev.dying || (match && !match.test(dev.si_name))) continue;
        k.emit({ type: 'REGISTER', name: dev.si_name, ino: dev.inode, uid: dev.uid, gid: dev.gid, mode: dev.mode, data: { driver: dev.si_devsw.d_name, unit: dev.unit, persistent: dev.persistent, trigger: true } });
        replayed.push(dev.si_name);
      }
      return replayed;
    },
    [M.settle]: async (s) => {
      await s.state.host.kernel.events.flush();
      return null;
    },
  };
}

/** The --match pattern, or undefined; EINVAL naming the syntax error. */
function regexOf(src: string | undefined): RegExp | undefined {
  if (src === undefined) return undefined;
  try {
    return new RegExp(src);
  } catch (err) {
    throw devfsError('EINVAL', M.trigger, src, `bad --match pattern: ${(err as Error).message}`);
  }
}
