/** md (mdconfig-like) and tap verbs. */
import * as path from 'path';
import { Command } from 'commander';
import { devfsError } from '@devfs/core';
import { parseSize } from '../client/size';
import { table } from '../client/format';
import { M } from '../protocol/methods';
import { out, withClient } from './context';
import { positive } from './fs';

interface MdInfo { name: string; type: string; mediaSize: number; sectorSize: number; file?: string; scheme: string; partitions: { name: string }[] }

/** Adds `md` and `tap` to `program`. */
export function deviceCommands(program: Command): void {
  const md = program.command('md').description('memory and file-backed disks (like mdconfig)');
  md.command('create').description('create a disk: -t malloc -s SIZE | -t vnode -f FILE [-s SIZE]')
    .requiredOption('-t, --type <type>', 'malloc or vnode')
    .option('-s, --size <size>', 'size: sectors, or with b/k/m/g/t (e.g. 64m)')
    .option('-f, --file <file>', 'image file of a vnode disk')
    .option('-S, --sector-size <bytes>', 'sector size (512 or 4096)', (v) => positive(v, '--sector-size'))
    .option('-u, --unit <n>', 'unit number', (v) => (/^\d+$/.test(v) ? Number(v) : positive(v, '--unit')))
    .action(async (o: { type: string; size?: string; file?: string; sectorSize?: number; unit?: number }, cmd: Command) => withClient(cmd, async (c, g) => {
      if (o.type !== 'malloc' && o.type !== 'vnode') throw devfsError('EINVAL', 'md create', o.type, "-t must be malloc or vnode");
      if (o.type === 'malloc' && !o.size) throw devfsError('EINVAL', 'md create', undefined, 'a malloc disk needs -s SIZE');
      if (o.type === 'vnode' && !o.file) throw devfsError('EINVAL', 'md create', undefined, 'a vnode disk needs -f FILE');
      const r = await c.request<{ name: string }>(M.mdCreate, {
        type: o.type, size: o.size ? parseSize(o.size) : undefined, file: o.file ? path.resolve(o.file) : undefined,
        sectorSize: o.sectorSize, unit: o.unit,
      });
      out(g, r, r.name);
    }));
  md.command('destroy').description('destroy a disk').argument('<name>', 'mdN')
    .action(async (name: string, _o: unknown, cmd: Command) => withClient(cmd, async (c) => { await c.request(M.mdDestroy, { name }); }));
  md.command('list').description('list disks')
    .action(async (_o: unknown, cmd: Command) => withClient(cmd, async (c, g) => {
      const l = await c.request<MdInfo[]>(M.mdList);
      out(g, l, () => (l.length === 0 ? [] : table([['NAME', 'TYPE', 'SIZE', 'SECTOR', 'SCHEME', 'PARTITIONS', 'FILE'], ...l.map((d) => [
        d.name, d.type, String(d.mediaSize), String(d.sectorSize), d.scheme, d.partitions.map((p) => p.name).join(',') || '-', d.file ?? '-',
      ])])));
    }));

  const tap = program.command('tap').description('tap interfaces on the host');
  tap.command('create').description('create a persistent tap interface (lowest free unit, or tapN)').argument('[name]', 'tapN')
    .action(async (name: string | undefined, _o: unknown, cmd: Command) => withClient(cmd, async (c, g) => {
      const r = await c.request<{ name: string }>(M.tapCreate, name !== undefined ? { name } : {});
      out(g, r, r.name);
    }));
  tap.command('destroy').description('destroy a tap interface').argument('<name>', 'tapN')
    .action(async (name: string, _o: unknown, cmd: Command) => withClient(cmd, async (c) => { await c.request(M.tapDestroy, { name }); }));
}
