/** md and tap administration (root only: a vnode disk opens files as the daemon, taps are host interfaces). */
import { devfsError } from '@devfs/core';
import type { Session } from '../context';
import { M } from '../../protocol/methods';
import { bool, int, obj, str } from '../../protocol/validate';
import type { Handlers } from './types';
import { privileged, shows } from './visibility';
import { mountFor } from '../access';
import { builtinDriver } from '../drivers';
import type { MdCreateOptions } from '@devfs/drivers-disk';

function root(s: Session, what: string): void {
  if (s.cred.uid !== 0) throw devfsError('EPERM', what, undefined, `only root may ${what.replace('.', ' ')}`);
}

/**
 * Disks: root; and when the daemon itself is not root (a vnode disk then opens files with the
 * daemon's rights, no more), also users the config maps to a mount that is not a jail.
 */
function mayManageDisks(s: Session, what: string): void {
  if (s.cred.uid === 0) return;
  if (process.getuid?.() !== 0) {
    const home = s.state.host.kernel.mountNamed(mountFor(s.cred, s.state.access));
    if (home && !home.jail) return;
    throw devfsError('EPERM', what, undefined, `only users mapped to a mount that is not a jail may ${what.replace('.', ' ')} (you see '${home?.name ?? '?'}'; map your user in the config's "access")`);
  }
  throw devfsError('EPERM', what, undefined, `only root may ${what.replace('.', ' ')} (a vnode disk would open files as root)`);
}


/** tapN order by N. */
function byUnit(a: string, b: string): number {
  return Number(a.replace(/\D+/g, '')) - Number(b.replace(/\D+/g, '')) || a.localeCompare(b);
}

/** Handlers of md.* and tap.*. */
export function deviceHandlers(): Handlers {
  return {
    [M.mdCreate]: async (s, p) => {
      mayManageDisks(s, M.mdCreate);
      const o = obj(p, M.mdCreate);
      const type = str(o, 'type', M.mdCreate, { max: 16 });
      if (type !== 'malloc' && type !== 'vnode') throw devfsError('EINVAL', M.mdCreate, type, "type must be 'malloc' or 'vnode'");
      const opts: MdCreateOptions = {
        type,
        size: int(o, 'size', M.mdCreate, 1, Number.MAX_SAFE_INTEGER, true),
        file: str(o, 'file', M.mdCreate, { optional: true }),
        sectorSize: int(o, 'sectorSize', M.mdCreate, 1, 65536, true),
        unit: int(o, 'unit', M.mdCreate, 0, 65535, true),
        readOnly: bool(o, 'readOnly', M.mdCreate),
        grow: bool(o, 'grow', M.mdCreate),
      };
      return { name: await builtinDriver(s.state.host, 'md', M.mdCreate).create(opts) };
    },
    [M.mdDestroy]: async (s, p) => {
      mayManageDisks(s, M.mdDestroy);
      const o = obj(p, M.mdDestroy);
      await builtinDriver(s.state.host, 'md', M.mdDestroy).destroy(str(o, 'name', M.mdDestroy, { max: 64 }), { force: bool(o, 'force', M.mdDestroy) });
      return null;
    },
    [M.mdResize]: async (s, p) => {
      mayManageDisks(s, M.mdResize);
      const o = obj(p, M.mdResize);
      const md = builtinDriver(s.state.host, 'md', M.mdResize);
      return md.resize(str(o, 'name', M.mdResize, { max: 64 }), int(o, 'size', M.mdResize, 1, Number.MAX_SAFE_INTEGER), { force: bool(o, 'force', M.mdResize) });
    },
    [M.mdRescan]: async (s, p) => {
      mayManageDisks(s, M.mdRescan);
      const name = str(obj(p, M.mdRescan), 'name', M.mdRescan, { max: 64 });
      const md = builtinDriver(s.state.host, 'md', M.mdRescan);
      const r = await md.rescan(name);
      if (!r.ok) throw devfsError(r.error?.code ?? 'EIO', M.mdRescan, name, `the table cannot be read: ${r.error?.message ?? 'unknown fault'} (the partitions of the last good table stay)`);
      return md.info(name);
    },
    [M.mdList]: (s) => {
      const md = builtinDriver(s.state.host, 'md', M.mdList);
      if (privileged(s)) return md.list().map((n) => md.info(n));
      // others: the disks their mount shows, without the host image path or on-disk labels
      return md.list().filter((n) => shows(s, n)).map((n) => {
        const { file: _file, partitions, links: _links, ...rest } = md.info(n);
        const parts = (partitions ?? []).filter((p) => shows(s, p.name)).map(({ label: _l, name_on_media: _n, ...p }) => p);
        return { ...rest, partitions: parts };
      });
    },
    [M.tapCreate]: async (s, p) => {
      root(s, M.tapCreate);
      const o = obj(p ?? {}, M.tapCreate);
      const name = str(o, 'name', M.tapCreate, { optional: true, max: 16 });
      const user = int(o, 'user', M.tapCreate, 0, 2 ** 32 - 2, true);
      const group = int(o, 'group', M.tapCreate, 0, 2 ** 32 - 2, true);
      const up = bool(o, 'up', M.tapCreate);
      const mtu = int(o, 'mtu', M.tapCreate, 68, 65535, true);
      const tun = bool(o, 'tun', M.tapCreate);
      let unit: number | undefined;
      if (name !== undefined) {
        const m = (tun ? /^tun(\d{1,5})$/ : /^tap(\d{1,5})$/).exec(name);
        if (!m) throw devfsError('EINVAL', M.tapCreate, name, tun ? 'name must be tunN (with --tun)' : 'name must be tapN (tunN needs --tun)');
        unit = Number(m[1]);
      }
      const tap = builtinDriver(s.state.host, 'tap', M.tapCreate);
      const made = await tap.create({ unit, user, group, ...(tun ? { tun } : {}) });
      if (up || mtu !== undefined) {
        try {
          if (mtu !== undefined) tap.setMtu(made, mtu);
          if (up) tap.setUp(made, true);
        } catch (err) {
          await tap.destroy(made).catch(() => undefined); // all or nothing
          throw err;
        }
      }
      return { name: made };
    },
    [M.tapList]: (s) => {
      const tap = builtinDriver(s.state.host, 'tap', M.tapList);
      const infos = tap.list().sort(byUnit).map((n) => { try { return tap.info(n); } catch { return undefined; } }).filter((i) => i !== undefined);
      if (privileged(s)) return infos;
      // others: the interfaces their mount shows, without the host's namespace name
      return infos.filter((i) => shows(s, String(i.name))).map(({ netns: _n, ...rest }) => rest);
    },
    [M.tapDestroy]: async (s, p) => {
      root(s, M.tapDestroy);
      await builtinDriver(s.state.host, 'tap', M.tapDestroy).destroy(str(obj(p, M.tapDestroy), 'name', M.tapDestroy, { max: 16 }));
      return null;
    },
  };
}
