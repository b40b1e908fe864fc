/** md (mdconfig-like) and tap verbs. */
import * as path from 'path';
import { Command } from 'commander';
import { Accounts, devfsError, resolveId } from '@devfs/core/base';
import { parseSize } from '../client/size';
import { table } from '../client/format';
import { humanBytes } from '../client/progress';
import { escapeControl } from '../escape';
import { M } from '../protocol/methods';
import { out, withClient } from './context';
import { positive } from './fs';

interface TapInfo { name: string; mode?: string; mac: string | null; mtu: number; up: boolean; user?: number | null; group?: number | null; origin: string; netns?: string | null }

interface MdInfo {
  name: string; type: string; mediaSize: number; sectorSize: number; file?: string; scheme: string; readOnly?: boolean; opens?: number;
  links?: string[]; partitions: { name: string; label?: string }[];
}

/** `md list -v`: one block of attributes per disk, like mdconfig -lv. */
function mdVerbose(l: MdInfo[]): string[] {
  return table([['NAME', 'TYPE', 'SIZE', 'SECTOR', 'RO', 'OPENS', 'SCHEME', 'PARTITIONS', 'LABELS', 'FILE'], ...l.map((d) => [
    d.name, d.type, humanBytes(d.mediaSize), String(d.sectorSize), d.readOnly ? 'ro' : 'rw', String(d.opens ?? '-'), d.scheme,
    d.partitions.map((p) => p.name).join(',') || '-', d.links?.join(',') || '-', d.file ?? '-',
  ])]).map(escapeControl);
}

/** Adds `md` and `tap` to `program`. */
export function deviceCommands(program: Command): void {
  const md = program.command('md').description('memory and file-backed disks (like mdconfig)');
  md.command('create').description('create a disk: -t malloc -s SIZE | -t vnode -f FILE [-s SIZE [--grow]] [-o readonly]')
    .requiredOption('-t, --type <type>', 'malloc or vnode')
    .option('-s, --size <size>', 'size: sectors, or with b/k/m/g/t (e.g. 64m); for vnode at most the image size unless --grow')
    .option('-f, --file <file>', 'image file of a vnode disk (created when missing and -s is given)')
    .option('-S, --sector-size <bytes>', 'sector size (512 or 4096)', (v) => positive(v, '--sector-size'))
    .option('-u, --unit <n>', 'unit number', (v) => (/^\d+$/.test(v) ? Number(v) : positive(v, '--unit')))
    .option('-o, --option <opt>', "mdconfig option: 'readonly' (writes get EROFS; the image is opened read-only); repeatable",
      (v: string, acc: string[]) => [...acc, ...v.split(',')], [] as string[])
    .option('--grow', 'let -s grow an existing image file (refused otherwise: your file never changes size silently)')
    .action(async (o: { type: string; size?: string; file?: string; sectorSize?: number; unit?: number; option: string[]; grow?: boolean }, cmd: Command) => withClient(cmd, async (c, g) => {
      if (o.type !== 'malloc' && o.type !== 'vnode') throw devfsError('EINVAL', 'md create', o.type, "-t must be malloc or vnode");
      if (o.type === 'malloc' && !o.size) throw devfsError('EINVAL', 'md create', undefined, 'a malloc disk needs -s SIZE');
      if (o.type === 'vnode' && !o.file) throw devfsError('EINVAL', 'md create', undefined, 'a vnode disk needs -f FILE');
      const unknown = o.option.filter((x) => !['readonly', 'ro', 'readwrite', 'rw'].includes(x));
      if (unknown.length) throw devfsError('EINVAL', 'md create', unknown[0], `unknown -o option '${unknown[0]}' (readonly, readwrite)`);
      const readOnly = o.option.some((x) => x === 'readonly' || x === 'ro') || undefined;
      const r = await c.request<{ name: string }>(M.mdCreate, {
        type: o.type, size: o.size ? parseSize(o.size) : undefined, file: o.file ? path.resolve(o.file) : undefined,
        sectorSize: o.sectorSize, unit: o.unit, readOnly, grow: o.grow || undefined,
      });
      out(g, r, r.name);
    }));
  md.command('destroy').description('destroy a disk (EBUSY while open, unless -f)').argument('<name>', 'mdN')
    .option('-f, --force', 'destroy even while open (open handles then get ENXIO)')
    .action(async (name: string, o: { force?: boolean }, cmd: Command) => withClient(cmd, async (c) => { await c.request(M.mdDestroy, { name, force: !!o.force }); }));
  md.command('resize').description('change a disk\'s size, like mdconfig -r (a vnode image grows; shrinking needs -f)').argument('<name>', 'mdN')
    .requiredOption('-s, --size <size>', 'new size: sectors, or with b/k/m/g/t')
    .option('-f, --force', 'allow shrinking (the data past the new end is lost to the disk)')
    .action(async (name: string, o: { size: string; force?: boolean }, cmd: Command) => withClient(cmd, async (c, g) => {
      const r = await c.request<MdInfo>(M.mdResize, { name, size: parseSize(o.size), force: !!o.force });
      out(g, r, `${r.name}: ${humanBytes(r.mediaSize)} (${r.mediaSize} bytes)`);
    }));
  md.command('rescan').description('read the partition table and filesystem labels again (after a change behind the daemon\'s back)').argument('<name>', 'mdN')
    .action(async (name: string, _o: unknown, cmd: Command) => withClient(cmd, async (c, g) => {
      const r = await c.request<MdInfo>(M.mdRescan, { name });
      out(g, r, `${r.name}: ${r.scheme}, ${r.partitions.length} partition(s)${r.links?.length ? `, links ${r.links.join(' ')}` : ''}`);
    }));
  md.command('list').description('list disks (-v: type, size, sector size, backing file, read-only, open count, labels)')
    .option('-v, --verbose', 'every attribute')
    .action(async (o: { verbose?: boolean }, cmd: Command) => withClient(cmd, async (c, g) => {
      const l = await c.request<MdInfo[]>(M.mdList);
      out(g, l, () => (l.length === 0 ? [] : o.verbose ? mdVerbose(l) : table([['NAME', 'TYPE', 'SIZE', 'SECTOR', 'SCHEME', 'PARTITIONS', 'FILE'], ...l.map((d) => [
        d.name, d.type, String(d.mediaSize), String(d.sectorSize), d.scheme, d.partitions.map((p) => p.name).join(',') || '-', d.file ?? '-',
      ])])));
    }));

  const tap = program.command('tap').description('tap interfaces on the host');
  tap.command('create').description('create a persistent tap interface (lowest free unit, or tapN), like ip tuntap add mode tap; --tun: a tunN')
    .argument('[name]', 'tapN (tunN with --tun)')
    .option('--tun', 'a layer-3 tun interface (ip tuntap add mode tun): node tunN, reads and writes are IP packets')
    .option('--user <user>', 'owner allowed to attach without CAP_NET_ADMIN (TUNSETOWNER): name or uid')
    .option('--group <group>', 'group allowed to attach (TUNSETGROUP): name or gid')
    .option('--mtu <bytes>', 'MTU, 68..65535 (ip link set tapN mtu N)', (v) => positive(v, '--mtu'))
    .option('--up', 'bring the interface up (ip link set tapN up)')
    .action(async (name: string | undefined, o: { user?: string; group?: string; up?: boolean; mtu?: number; tun?: boolean }, cmd: Command) => withClient(cmd, async (c, g) => {
      const accounts = new Accounts();
      const id = (spec: string | undefined, byName: (n: string) => number | undefined, what: string) => {
        if (spec === undefined) return undefined;
        const v = resolveId(spec, byName);
        if (v === undefined) throw devfsError('EINVAL', 'tap create', spec, `unknown ${what} '${spec}'`);
        return v;
      };
      const r = await c.request<{ name: string }>(M.tapCreate, {
        ...(name !== undefined ? { name } : {}),
        user: id(o.user, (n) => accounts.uidOf(n), 'user'), group: id(o.group, (n) => accounts.gidOf(n), 'group'), up: !!o.up, mtu: o.mtu, ...(o.tun ? { tun: true } : {}),
      });
      out(g, r, r.name);
    }));
  tap.command('list').description('list tap interfaces: name, MAC, MTU, up/down, owner, persistent or clone, netns (like ip tuntap show)')
    .action(async (_o: unknown, cmd: Command) => withClient(cmd, async (c, g) => {
      const l = await c.request<TapInfo[]>(M.tapList);
      const who = (id: number | null | undefined, name: (n: number) => string | undefined) => (id === null || id === undefined ? '-' : name(id) ?? String(id));
      const a = new Accounts();
      out(g, l, () => (l.length === 0 ? [] : table([['NAME', 'MODE', 'MAC', 'MTU', 'STATE', 'USER', 'GROUP', 'KIND', 'NETNS'], ...l.map((t) => [
        t.name, t.mode ?? 'tap', t.mac ?? '-', String(t.mtu), t.up ? 'up' : 'down', who(t.user, (n) => a.userName(n)), who(t.group, (n) => a.groupName(n)),
        t.origin === 'clone' ? 'clone' : t.origin === 'foreign' ? 'persistent (foreign)' : 'persistent', t.netns ?? '-',
      ])]).map(escapeControl)));
    }));
  tap.command('destroy').description('destroy a tap interface').argument('<name>', 'tapN')
    .action(async (name: string, _o: unknown, cmd: Command) => withClient(cmd, async (c) => { await c.request(M.tapDestroy, { name }); }));
}
