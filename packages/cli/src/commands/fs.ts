/** ls, stat, cat, write, chmod, chown, ln -s, rm, mknod. */
import type { Command } from 'commander';
import { devfsError } from '@devfs/core/base';
import { Accounts, resolveId } from '@devfs/core/base';
import { lsLong, statBlock } from '../client/format';
import { M, WireDirent, WireStat } from '../protocol/methods';
import { Progress } from '../client/progress';
import { OpenResult, readRange, writeStream } from '../client/transfer';
import { out, withClient } from './context';
import { applyMode } from '../client/mode';
import type { DevfsClient } from '../client/client';

/** Adds the path verbs to `program`. */
export function fsCommands(program: Command): void {
  program.command('ls').description('list a directory of your mount, or show one node').argument('[path]', 'directory or node', '')
    .option('-l', 'long format: mode, links, owner, group, device number, time, name')
    .option('-a', "also list '.' and '..'")
    .action(async (path: string, o: { l?: boolean; a?: boolean }, cmd: Command) => withClient(cmd, async (c, g) => {
      const entries = await listing(c, path, !!o.l, !!o.a);
      out(g, entries, () => (o.l ? lsLong(entries, new Accounts()) : entries.map((e) => e.name)));
    }));

  program.command('stat').description('show a node (does not follow a final symlink unless -L)').argument('<path>')
    .option('-L, --dereference', 'follow a final symlink')
    .action(async (path: string, o: { dereference?: boolean }, cmd: Command) => withClient(cmd, async (c, g) => {
      const st = await c.request<WireStat>(M.stat, { path, lstat: !o.dereference });
      out(g, st, () => statBlock(path, st, new Accounts()));
    }));

  program.command('cat').description('read a device to standard output (on a disk: any --offset and --bytes; progress on a terminal)')
    .argument('<path>')
    .option('--offset <n>', 'start at byte N (disks only)', (v) => natural(v, '--offset'), 0)
    .option('--bytes <n>', 'stop after N bytes', (v) => natural(v, '--bytes'))
    .action(async (path: string, o: { offset: number; bytes?: number }, cmd: Command) => withClient(cmd, async (c, g) => {
      const f = await c.request<OpenResult>(M.open, { path, flags: 'r' });
      const chunks: Buffer[] = [];
      const progress = new Progress('read');
      const sink = async (b: Buffer) => {
        if (g.json) chunks.push(b);
        else if (!process.stdout.write(b)) await new Promise((res) => process.stdout.once('drain', res));
      };
      try {
        await readRange(c, f, path, o.offset, o.bytes, sink, progress);
      } finally {
        progress.done();
        await c.request(M.close, { fd: f.fd }).catch(() => undefined);
      }
      if (g.json) out(g, { path, bytes: progress.total, data: Buffer.concat(chunks).toString('base64') }, []);
    }));

  program.command('write').description("write DATA (UTF-8 text), or standard input with '-' (binary, any size), to a device")
    .argument('<path>').argument('<data>', "the bytes as UTF-8 text, or '-' for standard input")
    .option('--offset <n>', 'start at byte N (disks only; partial sectors are read, patched and written back)', (v) => natural(v, '--offset'), 0)
    .addHelpText('after', '\nOn a disk the input lands at --offset; on a stream device (a tap) every chunk of standard input\n(up to 512 KiB, as the pipe delivers it) is one write: one frame.\nExample: devfs write md0 - < disk.img')
    .action(async (path: string, data: string, o: { offset: number }, cmd: Command) => withClient(cmd, async (c, g) => {
      const source: AsyncIterable<Buffer> | Buffer[] = data === '-' ? process.stdin : [Buffer.from(data, 'utf8')];
      const f = await c.request<OpenResult>(M.open, { path, flags: 'r+' }).catch((err: { code?: string }) => {
        // a write-only device (or one the caller may only write): open it write-only
        if (err.code === 'EACCES' || err.code === 'EPERM' || err.code === 'EBADF') return c.request<OpenResult>(M.open, { path, flags: 'w' });
        throw err;
      });
      const progress = new Progress('written');
      let n = 0;
      try {
        n = await writeStream(c, f, path, o.offset, source, progress);
      } finally {
        progress.done();
        await c.request(M.close, { fd: f.fd }).catch(() => undefined);
      }
      out(g, { path, bytes: n }, []);
    }));

  program.command('chmod').description('change permission bits in your mount, like chmod(1): octal (0660) or symbolic (u+w,g-r, a=rw, o=)')
    .argument('<mode>').argument('<path>')
    .action(async (mode: string, path: string, _o: unknown, cmd: Command) => withClient(cmd, async (c) => {
      let bits: number;
      if (/^[0-7]{1,4}$/.test(mode)) bits = applyMode(mode, 0);
      else {
        applyMode(mode, 0); // a bad mode is EINVAL before anything is asked of the daemon
        const st = await c.request<WireStat>(M.stat, { path });
        bits = applyMode(mode, st.mode, st.type === 'dir');
      }
      await c.request(M.chmod, { path, mode: bits });
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

/** What `ls` shows for `path`: a directory's entries (with `.`/`..` for -a), or the node itself. */
async function listing(c: DevfsClient, path: string, long: boolean, all: boolean): Promise<WireDirent[]> {
  const st = await c.request<WireStat>(M.stat, { path, lstat: true });
  const self = (name: string, s: WireStat): WireDirent => ({ name, ino: s.ino, type: s.type, ...(long ? { stat: s } : {}) });
  if (st.type !== 'dir') return [self(path, st)];
  const entries = await c.request<WireDirent[]>(M.readdir, { path, long });
  if (!all) return entries;
  const parent = path.replace(/\/+$/, '').split('/').slice(0, -1).join('/');
  const up = path.replace(/^\/+|\/+$/g, '') === '' ? st : await c.request<WireStat>(M.stat, { path: parent, lstat: true });
  return [self('.', st), self('..', up), ...entries];
}

/** A non-negative integer option value (byte offsets and counts). */
export function natural(v: string, what: string): number {
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw devfsError('EINVAL', what, v, `${what} needs a non-negative integer (got '${v}')`);
  return Number(v);
}

/** A positive integer option value. */
export function positive(v: string, what: string): number {
  if (!/^\d+$/.test(v) || Number(v) <= 0) throw devfsError('EINVAL', what, v, `${what} needs a positive integer`);
  return Number(v);
}
