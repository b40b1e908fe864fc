/** ls, stat, cat, write, chmod, chown, ln -s, rm, mknod. */
import type { Command } from 'commander';
import { devfsError } from '@devfs/core';
import { Accounts, resolveId } from '@devfs/core';
import { lsLong, statBlock } from '../client/format';
import { M, WireDirent, WireStat } from '../protocol/methods';
import { MAX_IO_BYTES } from '../protocol/limits';
import { out, withClient } from './context';

/** Adds the path verbs to `program`. */
export function fsCommands(program: Command): void {
  program.command('ls').description('list a directory of your mount').argument('[path]', 'directory', '')
    .option('-l', 'long format: mode, links, owner, group, device number, time, name')
    .action(async (path: string, o: { l?: boolean }, cmd: Command) => withClient(cmd, async (c, g) => {
      const entries = await c.request<WireDirent[]>(M.readdir, { path, long: !!o.l });
      out(g, entries, () => (o.l ? lsLong(entries, new Accounts()) : entries.map((e) => e.name)));
    }));

  program.command('stat').description('show a node (does not follow a final symlink unless -L)').argument('<path>')
    .option('-L, --dereference', 'follow a final symlink')
    .action(async (path: string, o: { dereference?: boolean }, cmd: Command) => withClient(cmd, async (c, g) => {
      const st = await c.request<WireStat>(M.stat, { path, lstat: !o.dereference });
      out(g, st, () => statBlock(path, st, new Accounts()));
    }));

  program.command('cat').description('read a device to standard output').argument('<path>')
    .option('--bytes <n>', 'stop after N bytes', (v) => positive(v, '--bytes'))
    .action(async (path: string, o: { bytes?: number }, cmd: Command) => withClient(cmd, async (c, g) => {
      const { fd } = await c.request<{ fd: number }>(M.open, { path, flags: 'r' });
      const chunks: Buffer[] = [];
      let left = o.bytes ?? Infinity;
      try {
        while (left > 0) {
          const r = await c.request<{ data: string; n: number }>(M.read, { fd, size: Math.min(left, MAX_IO_BYTES) });
          if (r.n === 0) break;
          const b = Buffer.from(r.data, 'base64');
          left -= b.length;
          if (g.json) chunks.push(b);
          else if (!process.stdout.write(b)) await new Promise((res) => process.stdout.once('drain', res));
        }
      } finally {
        await c.request(M.close, { fd }).catch(() => undefined);
      }
      if (g.json) out(g, { path, bytes: chunks.reduce((n, b) => n + b.length, 0), data: Buffer.concat(chunks).toString('base64') }, []);
    }));

  program.command('write').description('write DATA (UTF-8 text) to a device').argument('<path>').argument('<data>')
    .action(async (path: string, data: string, _o: unknown, cmd: Command) => withClient(cmd, async (c, g) => {
      const buf = Buffer.from(data, 'utf8');
      const { fd } = await c.request<{ fd: number }>(M.open, { path, flags: 'w' });
      let n = 0;
      try {
        for (let off = 0; off < buf.length; off += MAX_IO_BYTES) {
          n += (await c.request<{ n: number }>(M.write, { fd, data: buf.subarray(off, off + MAX_IO_BYTES).toString('base64') })).n;
        }
      } finally {
        await c.request(M.close, { fd }).catch(() => undefined);
      }
      out(g, { path, bytes: n }, []);
    }));

  program.command('chmod').description('change permission bits (octal) in your mount').argument('<mode>').argument('<path>')
    .action(async (mode: string, path: string, _o: unknown, cmd: Command) => withClient(cmd, async (c) => {
      if (!/^[0-7]{1,4}$/.test(mode)) throw devfsError('EINVAL', 'chmod', mode, `mode must be octal, e.g. 0660 (got '${mode}')`);
      await c.request(M.chmod, { path, mode: parseInt(mode, 8) });
    }));

  program.command('chown').description('change owner and/or group: USER[:GROUP] or :GROUP').argument('<owner>').argument('<path>')
    .action(async (owner: string, path: string, _o: unknown, cmd: Command) => withClient(cmd, async (c) => {
      const [u, gr = ''] = owner.split(':');
      const accounts = new Accounts();
      // '' keeps the field (-1), as does an explicit -1
      const idOf = (spec: string, byName: (n: string) => number | undefined) =>
        spec === '' || spec === '-1' ? -1 : resolveId(spec, byName);
      const uid = idOf(u, (n) => accounts.uidOf(n));
      const gid = idOf(gr, (n) => accounts.gidOf(n));
      if (uid === undefined) throw devfsError('EINVAL', 'chown', u, `unknown user '${u}'`);
      if (gid === undefined) throw devfsError('EINVAL', 'chown', gr, `unknown group '${gr}'`);
      await c.request(M.chown, { path, uid, gid });
    }));

  program.command('ln').description('create a symlink in your mount (root only): ln -s TARGET LINK').argument('<target>').argument('<link>')
    .requiredOption('-s, --symbolic', 'symbolic link (the only kind devfs has)')
    .action(async (target: string, link: string, _o: unknown, cmd: Command) => withClient(cmd, async (c) => {
      await c.request(M.symlink, { target, path: link });
    }));

  program.command('rm').description('remove a symlink, or hide (white out) a device in your mount').argument('<path>')
    .action(async (path: string, _o: unknown, cmd: Command) => withClient(cmd, async (c) => {
      await c.request(M.unlink, { path });
    }));

  program.command('mknod').description('bring back a device hidden by rm or by a rule in your mount').argument('<path>')
    .action(async (path: string, _o: unknown, cmd: Command) => withClient(cmd, async (c) => {
      await c.request(M.mknod, { path });
    }));
}

/** A positive integer option value. */
export function positive(v: string, what: string): number {
  if (!/^\d+$/.test(v) || Number(v) <= 0) throw devfsError('EINVAL', what, v, `${what} needs a positive integer`);
  return Number(v);
}
