/**
 * The FUSE export's lifecycle and its cached single-mount mode, against real root daemons:
 * SIGTERM unmounts; a mount left by `kill -9` is found stale (ENOTCONN) and replaced by the next
 * daemon; `--fuse-mount root` caches and still shows changes at once (invalidations); a pty's
 * pts/N is a link to its host slave, where `stty` and writes work.
 */
import * as fs from 'fs';
import * as path from 'path';
import { cli, letOthersReachRepo, startDaemon, stopDaemon, tempDir, until } from './helpers';
import { forceUnmount, mountedType, sh } from './fuse-helpers';
import { describeHost, needFile, needRoot } from '../../../test-support/host';

describeHost('FUSE export lifecycle (root daemons)', [needRoot, needFile('/dev/fuse')], () => {
  let dir = '';
  let dev = '';
  beforeAll(() => {
    dir = tempDir();
    dev = path.join(dir, 'dev');
  });
  afterAll(() => {
    forceUnmount(dev);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('SIGTERM unmounts; after kill -9 the mount is stale (ENOTCONN) and the next daemon replaces it', async () => {
    const sock = path.join(dir, 'a.sock');
    const d1 = await startDaemon(sock, ['--fuse', dev]);
    expect(mountedType(dev)).toBe('fuse.devfs');
    expect((await sh(`ls ${dev}`)).out).toMatch(/^zero$/m);
    expect(await stopDaemon(d1)).toBe(0);
    expect(mountedType(dev)).toBe('');

    const d2 = await startDaemon(sock, ['--fuse', dev]);
    expect((await sh(`ls ${dev}`)).out).toMatch(/^zero$/m);
    d2.child.kill('SIGKILL');
    await d2.exited;
    expect(mountedType(dev)).toBe('fuse.devfs');
    expect((await sh(`stat ${dev}`)).err).toMatch(/Transport endpoint is not connected/);
    fs.rmSync(sock, { force: true });

    const d3 = await startDaemon(sock, ['--fuse', dev]);
    expect(d3.out()).toContain(`replaced a stale FUSE export at ${dev}`);
    expect((await sh(`ls ${dev}`)).out).toMatch(/^zero$/m);
    expect(await stopDaemon(d3)).toBe(0);
    expect(mountedType(dev)).toBe('');
  }, 40000);

  it('refuses --fuse-mount without --fuse, and a mount name that does not exist (nothing left mounted)', async () => {
    await expect(startDaemon(path.join(dir, 'e.sock'), ['--fuse-mount', 'root'])).rejects.toThrow(/EINVAL: --fuse-mount needs --fuse DIR/);
    await expect(startDaemon(path.join(dir, 'e.sock'), ['--fuse', dev, '--fuse-mount', 'nosuch'])).rejects.toThrow(/ENOENT: no such mount to export/);
    expect(mountedType(dev)).toBe('');
  });

  it('refuses a directory where another filesystem is mounted (EBUSY), leaving it alone', async () => {
    const other = path.join(dir, 'other');
    fs.mkdirSync(other);
    expect((await sh(`mount -t tmpfs none ${other}`)).code).toBe(0);
    try {
      const sock = path.join(dir, 'b.sock');
      await expect(startDaemon(sock, ['--fuse', other])).rejects.toThrow(/EBUSY: a tmpfs filesystem is already mounted there/);
      expect(mountedType(other)).toBe('tmpfs');
    } finally {
      await sh(`umount -l ${other}`);
    }
  });

  it('--fuse-mount root: cached, yet a new disk, a chmod and a removal show at the next ls', async () => {
    const sock = path.join(dir, 'c.sock');
    const d = await startDaemon(sock, ['--fuse', dev, '--fuse-mount', 'root']);
    try {
      expect(d.out()).toContain('(mount root, cached)');
      expect((await sh(`ls -l ${dev}/zero`)).out).toMatch(/^-rw-rw-rw-/);
      expect((await sh(`ls ${dev}/md0`)).code).not.toBe(0);
      const md = (await cli(sock, ['md', 'create', '-t', 'malloc', '-s', '1m'])).stdout.trim();
      expect((await sh(`ls ${dev}/${md}`)).code).toBe(0);
      expect((await cli(sock, ['chmod', '600', 'zero'])).code).toBe(0);
      expect((await sh(`ls -l ${dev}/zero`)).out).toMatch(/^-rw------- /);
      expect((await cli(sock, ['md', 'destroy', md])).code).toBe(0);
      expect((await sh(`ls ${dev}/${md}`)).err).toMatch(/No such file or directory/);
      // the caller's own credential still decides: uid 65534 cannot read the 0600 zero
      expect((await sh(`head -c 1 ${dev}/zero`, { uid: 65534, gid: 65534 })).err).toMatch(/Permission denied/);
    } finally {
      await stopDaemon(d);
    }
  }, 30000);

  it('pts/N links to the host slave: stty reads its size and a write shows on the session; uid 65534 sees and uses only its own', async () => {
    const sock = path.join(dir, 'd.sock');
    const d = await startDaemon(sock, ['--fuse', dev]);
    try {
      const session = cli(sock, ['pty', 'spawn', '--', 'sh', '-c', 'echo started; sleep 3; echo done'], { timeoutMs: 10000 });
      let link = '';
      await until(async () => /^\/dev\/pts\/\d+$/.test(link = (await sh(`readlink ${dev}/pts/0`)).out.trim()), 'pts/0 in the export', 15000, 50);
      expect(link).toMatch(/^\/dev\/pts\/\d+$/);
      expect((await sh(`stty -F ${dev}/pts/0 size`)).out).toMatch(/^\d+ \d+\n$/);
      expect((await sh(`echo from-host > ${dev}/pts/0`)).code).toBe(0);
      // uid 65534's own pty: in its jail view it sees that one only, and it works as its terminal
      const restore = letOthersReachRepo();
      try {
        const theirs = cli(sock, ['pty', 'spawn', '--', 'sh', '-c', 'sleep 2'], { uid: 65534, gid: 65534, timeoutMs: 10000 });
        let seen = '';
        await until(async () => /^\d+\n$/.test(seen = (await sh(`ls ${dev}/pts`, { uid: 65534, gid: 65534 })).out), 'its own pts in its view', 15000, 50);
        expect(seen).toMatch(/^\d+\n$/);
        expect(seen).not.toBe('0\n');
        expect((await sh(`ls ${dev}/pts`)).out.split('\n').filter(Boolean)).toHaveLength(2);
        expect((await sh(`stty -F ${dev}/pts/${seen.trim()} size`, { uid: 65534, gid: 65534 })).out).toMatch(/^\d+ \d+\n$/);
        expect((await sh(`ls ${dev}/pts/0`, { uid: 65534, gid: 65534 })).err).toMatch(/No such file or directory/);
        await theirs;
      } finally {
        restore();
      }
      const r = await session;
      expect(r.stdout).toContain('from-host');
      expect(r.stdout).toContain('done');
    } finally {
      await stopDaemon(d);
    }
  }, 30000);
});
