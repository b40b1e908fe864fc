/**
 * Issue 19, md as mdconfig: -o readonly, exclusive attach, -s never grows a user's image unless
 * asked (--grow), resize, destroy -f, list -v, rescan, and glabel-style links (ext2fs/, msdosfs/,
 * gptid/) read from superblocks, following rescans and writes. Real root daemon, uid 65534 too.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { describeHost, needRoot, needTool, testHost } from '../../../test-support/host';
import { BIN, cli, daemonForSuite, NOBODY, tempDir, until } from './helpers';
import { cliIn } from './verbs-helpers';

/** A FAT16 boot sector with volume label `label` (what mkfs.fat writes at sector 0). */
function fatBootSector(label: string): Buffer {
  const b = Buffer.alloc(512);
  b.write('\xeb\x3c\x90MSDOS5.0', 0, 'latin1');
  b.writeUInt16LE(512, 11); b[13] = 4; b.writeUInt16LE(4, 14); b[16] = 2; b.writeUInt16LE(512, 17);
  b.writeUInt16LE(8192, 19); b[21] = 0xf8; b.writeUInt16LE(8, 22);
  b[0x26] = 0x29; b.writeUInt32LE(0x1234abcd, 0x27); b.write(label.padEnd(11), 0x2b, 'latin1'); b.write('FAT16   ', 0x36, 'latin1');
  b[510] = 0x55; b[511] = 0xaa;
  return b;
}

// The daemon runs as the caller (callerArgs gives a caller who is not root the disks); the uid-65534 client needs root.
describeHost('md as mdconfig (a daemon run by the caller)', [needTool('mkfs.ext4'), needTool('sfdisk'), needTool('tune2fs')], () => {
  const { sock } = daemonForSuite();
  let dir = '';
  beforeAll(() => { dir = tempDir(); });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const md = async (...args: string[]) => cli(sock(), ['md', ...args]);
  const list = async () => JSON.parse((await cli(sock(), ['--json', 'md', 'list'])).stdout) as Array<{ name: string; readOnly: boolean; links: string[]; mediaSize: number; opens: number; file?: string }>;
  const ls = async (p: string) => (await cli(sock(), ['ls', p])).stdout.split('\n').filter(Boolean);

  test('-s never grows an existing image silently (EFBIG, file untouched); --grow does; a missing file is created', async () => {
    const img = path.join(dir, 'small.img');
    fs.writeFileSync(img, Buffer.alloc(1024 * 1024));
    const r = await md('create', '-t', 'vnode', '-f', img, '-s', '2m');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^devfs: EFBIG: the image is 1048576 bytes; a size of 2097152 would grow it: ask for it \(devfs md create --grow\)/);
    expect(fs.statSync(img).size).toBe(1024 * 1024);
    const smaller = (await md('create', '-t', 'vnode', '-f', img, '-s', '512k')).stdout.trim();
    expect((await list()).find((d) => d.name === smaller)?.mediaSize).toBe(512 * 1024);
    expect(fs.statSync(img).size).toBe(1024 * 1024);
    expect((await md('destroy', smaller)).code).toBe(0);
    const grown = (await md('create', '-t', 'vnode', '-f', img, '-s', '2m', '--grow')).stdout.trim();
    expect(fs.statSync(img).size).toBe(2 * 1024 * 1024);
    expect((await md('destroy', grown)).code).toBe(0);
    const fresh = path.join(dir, 'fresh.img');
    const f = (await md('create', '-t', 'vnode', '-f', fresh, '-s', '1m')).stdout.trim();
    expect(fs.statSync(fresh).size).toBe(1024 * 1024);
    expect((await md('destroy', f)).code).toBe(0);
  }, 30000);

  test('-o readonly: writes are EROFS, a read-only file works; the same image twice read-write is EBUSY; read-only twice is fine', async () => {
    const img = path.join(dir, 'ro.img');
    fs.writeFileSync(img, Buffer.alloc(1024 * 1024, 0x11));
    const a = (await md('create', '-t', 'vnode', '-f', img)).stdout.trim();
    const twice = await md('create', '-t', 'vnode', '-f', img);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/^devfs: EBUSY: the image is attached already \(md\d+\)/);
    const link = path.join(dir, 'ro-link.img');
    fs.linkSync(img, link); // the same file under another name is the same image
    expect((await md('create', '-t', 'vnode', '-f', link)).stderr).toMatch(/^devfs: EBUSY: /);
    expect((await md('create', '-t', 'vnode', '-f', img, '-o', 'readonly')).stderr).toMatch(/^devfs: EBUSY: /);
    expect((await md('destroy', a)).code).toBe(0);
    fs.chmodSync(img, 0o444);
    const ro1 = (await md('create', '-t', 'vnode', '-f', img, '-o', 'readonly')).stdout.trim();
    const ro2 = (await md('create', '-t', 'vnode', '-f', link, '-o', 'readonly')).stdout.trim();
    expect(ro1).toMatch(/^md\d+$/);
    expect(ro2).toMatch(/^md\d+$/);
    fs.chmodSync(img, 0o644); // writable again: a read-write attach is refused for being attached, not for the mode (as a daemon not run as root would)
    expect((await md('create', '-t', 'vnode', '-f', img)).stderr).toMatch(/^devfs: EBUSY: /);
    const w = await cliIn(sock(), ['write', ro1, '-'], Buffer.alloc(512, 0x22));
    expect(w.code).toBe(1);
    expect(w.stderr).toMatch(/^devfs: EROFS: /);
    expect(fs.readFileSync(img).equals(Buffer.alloc(1024 * 1024, 0x11))).toBe(true);
    expect((await cli(sock(), ['cat', ro1, '--offset', '7', '--bytes', '3'])).stdout).toBe('\x11\x11\x11');
    expect((await md('resize', ro1, '-s', '2m')).stderr).toMatch(/^devfs: EROFS: /);
    const v = (await md('list', '-v')).stdout;
    expect(v).toMatch(new RegExp(`^${ro1} +vnode +1\\.0 MiB +512 +ro +0 +none `, 'm'));
    expect((await list()).find((d) => d.name === ro1)).toMatchObject({ readOnly: true, file: img });
    expect((await md('create', '-t', 'malloc', '-s', '1m', '-o', 'bogus')).stderr).toMatch(/^devfs: EINVAL: unknown -o option 'bogus'/);
    await md('destroy', ro1);
    await md('destroy', ro2);
  }, 30000);

  test('resize grows a malloc disk and a vnode image (keeping the data); shrinking needs -f', async () => {
    const m = (await md('create', '-t', 'malloc', '-s', '1m')).stdout.trim();
    expect((await cliIn(sock(), ['write', m, '-', '--offset', '1000'], Buffer.from('keep me'))).code).toBe(0);
    expect(await md('resize', m, '-s', '3m')).toMatchObject({ code: 0, stdout: `${m}: 3.0 MiB (3145728 bytes)\n` });
    expect((await cli(sock(), ['cat', m, '--offset', '1000', '--bytes', '7'])).stdout).toBe('keep me');
    expect((await cli(sock(), ['cat', m, '--offset', String(3 * 1024 * 1024 - 4)])).stdout).toBe('\0\0\0\0');
    const shrink = await md('resize', m, '-s', '512k');
    expect(shrink.stderr).toMatch(/^devfs: EINVAL: shrinking .* pass force/);
    expect((await md('resize', m, '-s', '512k', '-f')).code).toBe(0);
    expect((await list()).find((d) => d.name === m)?.mediaSize).toBe(512 * 1024);
    await md('destroy', m);
    const img = path.join(dir, 'grow.img');
    fs.writeFileSync(img, Buffer.alloc(512 * 1024));
    const v = (await md('create', '-t', 'vnode', '-f', img)).stdout.trim();
    expect((await md('resize', v, '-s', '1m')).code).toBe(0);
    expect(fs.statSync(img).size).toBe(1024 * 1024);
    await md('destroy', v);
  }, 30000);

  test('destroy is EBUSY while open; -f destroys anyway', async () => {
    const m = (await md('create', '-t', 'malloc', '-s', '1m')).stdout.trim();
    const { spawn } = await import('child_process');
    // a client holding the disk open: write - whose stdin stays open
    const holder = spawn(process.execPath, [BIN, '--socket', sock(), 'write', m, '-'], { stdio: ['pipe', 'ignore', 'ignore'] });
    holder.stdin.write(Buffer.alloc(512));
    await until(async () => (await list()).find((d) => d.name === m)?.opens !== 0, 'the holder to open the disk');
    expect((await list()).find((d) => d.name === m)?.opens).toBe(1);
    expect((await md('destroy', m)).stderr).toMatch(/^devfs: EBUSY: /);
    expect((await md('destroy', '-f', m)).code).toBe(0);
    expect(await ls('')).not.toContain(m);
    holder.stdin.end();
    await new Promise((r) => holder.once('close', r));
  }, 30000);

  test('labels: ext2fs/<label> from the superblock; rescan picks up a relabel made behind the daemon', async () => {
    const img = path.join(dir, 'ext.img');
    fs.writeFileSync(img, Buffer.alloc(8 * 1024 * 1024));
    execFileSync('mkfs.ext4', ['-q', '-F', '-L', 'rootfs', img]);
    const m = (await md('create', '-t', 'vnode', '-f', img)).stdout.trim();
    expect(await ls('ext2fs')).toEqual(['rootfs']);
    expect((await cli(sock(), ['stat', 'ext2fs/rootfs'])).stdout).toMatch(new RegExp(`-> \\.\\./${m}`));
    expect((await list()).find((d) => d.name === m)?.links).toEqual(['ext2fs/rootfs']);
    execFileSync('tune2fs', ['-L', 'renamed', img], { stdio: 'ignore' });
    expect(await ls('ext2fs')).toEqual(['rootfs']); // behind the daemon's back: not seen yet
    const r = await md('rescan', m);
    expect(r).toMatchObject({ code: 0 });
    expect(r.stdout).toMatch(/links ext2fs\/renamed/);
    expect(await ls('ext2fs')).toEqual(['renamed']);
    await md('destroy', m);
    expect(await ls('ext2fs')).toEqual([]);
  }, 30000);

  testHost('uid 65534 sees no disk nor label, and may not rescan or resize one', [needRoot], async () => {
    const img = path.join(dir, 'ext-nobody.img');
    fs.writeFileSync(img, Buffer.alloc(8 * 1024 * 1024));
    execFileSync('mkfs.ext4', ['-q', '-F', '-L', 'theirs', img]);
    const m = (await md('create', '-t', 'vnode', '-f', img)).stdout.trim();
    expect(await ls('ext2fs')).toEqual(['theirs']);
    const nobody = JSON.parse((await cli(sock(), ['--json', 'md', 'list'], NOBODY)).stdout) as unknown[];
    expect(nobody).toEqual([]); // the jail shows no disk
    expect((await cli(sock(), ['ls', 'ext2fs'], NOBODY)).code).toBe(1);
    expect((await cli(sock(), ['md', 'rescan', m], NOBODY)).stderr).toMatch(/^devfs: EPERM: /);
    expect((await cli(sock(), ['md', 'resize', m, '-s', '9m'], NOBODY)).stderr).toMatch(/^devfs: EPERM: /);
    await md('destroy', m);
  }, 30000);

  test('labels follow writes: a FAT boot sector written at sector 0 makes msdosfs/<LABEL>; GPT partitions get gptid/<uuid> and ext2fs/ from a partition write', async () => {
    const m = (await md('create', '-t', 'malloc', '-s', '4m')).stdout.trim();
    expect((await cliIn(sock(), ['write', m, '-'], fatBootSector('MYSTICK'))).code).toBe(0);
    expect(await ls('msdosfs')).toEqual(['MYSTICK']);
    expect((await cliIn(sock(), ['write', m, '-'], fatBootSector('OTHER'))).code).toBe(0);
    expect(await ls('msdosfs')).toEqual(['OTHER']);
    expect((await cliIn(sock(), ['write', m, '-', '--offset', '510'], Buffer.from([0, 0]))).code).toBe(0); // signature gone
    expect(await ls('msdosfs')).toEqual([]);
    await md('destroy', m);

    const img = path.join(dir, 'gpt.img');
    fs.writeFileSync(img, Buffer.alloc(16 * 1024 * 1024));
    const uuid = '0C5E5C3A-1F2B-4A3C-9D8E-112233445566';
    execFileSync('sfdisk', ['-q', img], { input: `label: gpt\nstart=2048, size=8192, name=data, uuid=${uuid}\n` });
    const g = (await md('create', '-t', 'vnode', '-f', img)).stdout.trim();
    expect(await ls('gptid')).toEqual([uuid.toLowerCase()]);
    const fsimg = path.join(dir, 'part.img');
    fs.writeFileSync(fsimg, Buffer.alloc(4 * 1024 * 1024));
    execFileSync('mkfs.ext4', ['-q', '-F', '-L', 'inpart', fsimg]);
    expect((await cliIn(sock(), ['write', `${g}p1`, '-'], fs.readFileSync(fsimg))).code).toBe(0);
    // a write through a partition rescans in the background
    await until(async () => (await ls('ext2fs')).includes('inpart'), 'ext2fs/inpart after the partition write');
    expect(await ls('ext2fs')).toEqual(['inpart']);
    expect((await list()).find((d) => d.name === g)?.links.sort()).toEqual(['ext2fs/inpart', 'gpt/data', `gptid/${uuid.toLowerCase()}`]);
    await md('destroy', g);
  }, 40000);
});
