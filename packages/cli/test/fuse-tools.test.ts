/**
 * The FUSE export used by ordinary host tools, each a child process against a real root daemon
 * started with `--fuse DIR`: as root (the root mount) and as uid 65534 (the jail mount).
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { cli, DaemonProc, NOBODY, startDaemon, stopDaemon, tempDir, until } from './helpers';
import { forceUnmount, isOpen, mountedType, sh } from './fuse-helpers';
import { describeHost, needFile, needRoot, needTool } from '../../../test-support/host';

describeHost('FUSE export: host tools on the devices (root daemon, root and uid 65534 callers)', [needRoot, needFile('/dev/fuse'), needTool('sfdisk'), needTool('mkfs.ext4')], () => {
  let dir = '';
  let sock = '';
  let dev = '';
  let d: DaemonProc | undefined;
  const devfs = (...args: string[]) => cli(sock, args);

  beforeAll(async () => {
    dir = tempDir();
    sock = path.join(dir, 'devfs.sock');
    dev = path.join(dir, 'dev');
    d = await startDaemon(sock, ['--fuse', dev, '--driver', './examples/driver-echo']);
  }, 30000);
  afterAll(async () => {
    await sh(`umount -l ${dir}/mnt 2>/dev/null`);
    if (d) await stopDaemon(d);
    forceUnmount(dev);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is mounted as fuse.devfs with nodev,nosuid and lists the root mount to root (ls -l, stat, find)', async () => {
    expect(mountedType(dev)).toBe('fuse.devfs');
    const opts = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').find((l) => l.split(' ')[4] === dev)!;
    expect(opts).toMatch(/nosuid/);
    expect(opts).toMatch(/nodev/);
    const ls = await sh(`ls -l ${dev}`);
    expect(ls.code).toBe(0);
    expect(ls.out).toMatch(/^-rw-rw-rw- 1 root root +0 .* zero$/m);
    expect(ls.out).toMatch(/ ptmx$/m);
    const st = await sh(`stat -c '%F %a %s' ${dev}/null ${dev}`);
    expect(st.out).toBe('regular empty file 666 0\ndirectory 555 0\n');
    const find = await sh(`find ${dev} -type f | sort`);
    expect(find.out.split('\n')).toEqual(expect.arrayContaining([`${dev}/null`, `${dev}/zero`, `${dev}/random`]));
  });

  it('reads zero and random with cat/head, and takes writes to null', async () => {
    const zero = await sh(`head -c 1000000 ${dev}/zero | od -An -tx1 | sort -u`);
    expect(zero.out.trim().split('\n')[0].trim()).toMatch(/^00( 00)*$/);
    expect(zero.out.trim().split('\n').filter((l) => l.trim() !== '*')).toHaveLength(1);
    const r1 = await sh(`head -c 64 ${dev}/random | od -An -tx1`);
    const r2 = await sh(`head -c 64 ${dev}/random | od -An -tx1`);
    expect(r1.out).not.toBe(r2.out);
    expect(r1.out.replace(/\s/g, '')).toHaveLength(128);
    expect((await sh(`echo hi > ${dev}/null && echo ok`)).out).toBe('ok\n');
  });

  it('carries bytes between two shells through an echo unit (blocking read, then write)', async () => {
    const reader = sh(`head -c 12 ${dev}/echo7`);
    await until(() => isOpen(`${dev}/echo7`), 'the reader to open echo7', 10000, 20);
    const w = await sh(`printf 'hello world\\n' > ${dev}/echo7`);
    expect(w.code).toBe(0);
    expect((await reader).out).toBe('hello world\n');
    // O_NONBLOCK on an empty unit: EAGAIN (dd iflag=nonblock reports "Resource temporarily unavailable")
    const nb = await sh(`dd if=${dev}/echo7 iflag=nonblock bs=1 count=1 2>&1`);
    expect(nb.out).toMatch(/Resource temporarily unavailable/);
    // a blocked reader killed by a signal: FUSE_INTERRUPT ends the wait; the daemon goes on
    const t = await sh(`timeout 1 cat ${dev}/echo7; echo "status $?"`);
    expect(t.out).toBe('status 124\n');
    expect((await sh(`ls ${dev}/echo7`)).code).toBe(0);
  });

  it('dd of a whole vnode disk equals its image, and a write through the export reaches the image', async () => {
    const img = path.join(dir, 'disk.img');
    fs.writeFileSync(img, crypto.randomBytes(4 << 20));
    const made = await devfs('md', 'create', '-t', 'vnode', '-f', img);
    expect(made.code).toBe(0);
    const md = made.stdout.trim();
    expect((await sh(`stat -c %s ${dev}/${md}`)).out).toBe(`${4 << 20}\n`);
    expect((await sh(`blockdev --getsize64 ${dev}/${md}`)).out).toBe(`${4 << 20}\n`);
    const sum = crypto.createHash('sha256').update(fs.readFileSync(img)).digest('hex');
    expect((await sh(`dd if=${dev}/${md} bs=1M status=none | sha256sum`)).out.split(' ')[0]).toBe(sum);
    // unaligned: 100 bytes at offset 1000 (sector-widened by the export)
    expect((await sh(`printf '%0100d' 7 | dd of=${dev}/${md} bs=100 seek=10 conv=notrunc status=none`)).code).toBe(0);
    const back = fs.readFileSync(img).subarray(1000, 1100).toString();
    expect(back).toBe(`${'0'.repeat(99)}7`);
    // write-only open (dd of= without seek), 2 bytes at offset 0: the rest of the sector is kept
    const before = fs.readFileSync(img).subarray(2, 512);
    expect((await sh(`echo x | dd of=${dev}/${md} conv=notrunc status=none`)).code).toBe(0);
    const after = fs.readFileSync(img);
    expect(after.subarray(0, 2).toString()).toBe('x\n');
    expect(after.subarray(2, 512).equals(before)).toBe(true);
    expect((await devfs('md', 'destroy', md)).code).toBe(0);
  });

  it('sfdisk writes a GPT through the export, the partitions appear, mkfs.ext4 + e2fsck -fn are clean, mount -o loop works', async () => {
    const made = await devfs('md', 'create', '-t', 'malloc', '-s', '48m');
    const md = made.stdout.trim();
    const part = await sh(`printf 'label: gpt\\nsize=8M, name=boot\\nname=data\\n' | sfdisk -q ${dev}/${md}`);
    expect(part.code).toBe(0);
    const ls = await sh(`ls ${dev} ${dev}/gpt`);
    expect(ls.out).toContain(`${md}p1`);
    expect(ls.out).toContain(`${md}p2`);
    expect((await sh(`readlink ${dev}/gpt/data`)).out).toBe(`../${md}p2\n`);
    expect((await sh(`mkfs.ext4 -q -F ${dev}/${md}p2`)).code).toBe(0);
    const fsck = await sh(`e2fsck -fn ${dev}/${md}p2`);
    expect(fsck.code).toBe(0);
    expect(fsck.out).toMatch(/11\/\d+ files/);
    const mnt = path.join(dir, 'mnt');
    fs.mkdirSync(mnt);
    const rw = await sh(`mount -o loop ${dev}/${md}p2 ${mnt} && echo 'through devfs' > ${mnt}/f && umount ${mnt}`);
    expect(rw.err).toBe('');
    expect(rw.code).toBe(0);
    const ro = await sh(`mount -o loop,ro ${dev}/gpt/data ${mnt} && cat ${mnt}/f; umount ${mnt}`);
    expect(ro.out).toBe('through devfs\n');
  }, 40000);

  it('shows uid 65534 its jail: hidden devices are ENOENT, forbidden ones EACCES', async () => {
    const ls = await sh(`ls ${dev}`, NOBODY);
    expect(ls.code).toBe(0);
    expect(ls.out.split('\n')).toEqual(expect.arrayContaining(['null', 'zero', 'random']));
    expect(ls.out).not.toMatch(/^(md\d|tap|echo)/m);
    const hidden = await sh(`cat ${dev}/tap`, NOBODY);
    expect(hidden.err).toMatch(/No such file or directory/);
    const forbidden = await sh(`echo x > ${dev}/random`, NOBODY);
    expect(forbidden.err).toMatch(/Permission denied/);
    // root through the same directory still sees everything
    expect((await sh(`ls ${dev}/tap`)).code).toBe(0);
  });

  it('never shows one view\'s attributes to another (same name, root and jail modes differ), and pushes changes at once', async () => {
    expect((await cli(sock, ['-m', 'jail', 'chmod', '604', 'urandom'])).code).toBe(0);
    for (let i = 0; i < 3; i++) {
      expect((await sh(`stat -c %a ${dev}/urandom`)).out).toBe('644\n');
      expect((await sh(`stat -c %a ${dev}/urandom`, NOBODY)).out).toBe('604\n');
    }
    // within the attribute cache time of the caller's own inode, a change made elsewhere shows at once
    expect((await sh(`stat -c %a ${dev}/urandom`, NOBODY)).out).toBe('604\n');
    expect((await cli(sock, ['-m', 'jail', 'chmod', '640', 'urandom'])).code).toBe(0);
    expect((await sh(`stat -c %a ${dev}/urandom`, NOBODY)).out).toBe('640\n');
    expect((await sh(`cat ${dev}/urandom`, NOBODY)).err).toMatch(/Permission denied/);
  });

  it('chmod through the export is the mount\'s chmod (devfs stat sees it); uid 65534 may not', async () => {
    expect((await sh(`chmod 600 ${dev}/full`)).code).toBe(0);
    const st = await cli(sock, ['--json', 'stat', 'full']);
    expect(JSON.parse(st.stdout).mode & 0o7777).toBe(0o600);
    const denied = await sh(`chmod 666 ${dev}/zero`, NOBODY);
    expect(denied.err).toMatch(/Operation not permitted/);
    expect((await sh(`ln -s zero ${dev}/z && readlink ${dev}/z && rm ${dev}/z && ls ${dev}/z`)).out).toBe('zero\n');
  });
});
