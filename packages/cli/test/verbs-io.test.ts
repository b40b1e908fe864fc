/**
 * Issue 19, data in and out: `write PATH -` streams binary stdin of any size at any --offset,
 * `cat --offset --bytes` reads any range of a disk (covering sectors cut), stream devices refuse
 * offsets; progress only on a terminal. Against a real root daemon, and from uid 65534.
 */
import { execFileSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { describeHost, needRoot, needTool, testHost } from '../../../test-support/host';
import { BIN, cli, daemonForSuite, NOBODY, tempDir } from './helpers';
import { cliBytes, cliIn } from './verbs-helpers';

// The daemon runs as the caller (callerArgs gives a caller who is not root the disks); the uid-65534 client needs root.
describeHost('devfs write - / cat --offset --bytes on disks (a daemon run by the caller)', [needTool('script')], () => {
  const { sock } = daemonForSuite();
  const files = tempDir();
  afterAll(() => fs.rmSync(files, { recursive: true, force: true }));

  test('stdin of 1.5 MB at an odd offset lands exactly; the bytes around it stay; any range reads back', async () => {
    const md = (await cli(sock(), ['md', 'create', '-t', 'malloc', '-s', '4m'])).stdout.trim();
    expect(md).toMatch(/^md\d+$/);
    const before = crypto.randomBytes(4096);
    expect((await cliIn(sock(), ['write', md, '-'], before)).code).toBe(0);
    const data = crypto.randomBytes(1_500_007); // not a multiple of 512, larger than one request (512 KiB)
    const w = await cliIn(sock(), ['--json', 'write', md, '-', '--offset', '1001'], data);
    expect(w).toMatchObject({ code: 0, stderr: '' }); // not a terminal: no progress
    expect(JSON.parse(w.stdout)).toEqual({ path: md, bytes: data.length });
    const back = await cliBytes(sock(), ['cat', md, '--offset', '1001', '--bytes', String(data.length)]);
    expect(back.code).toBe(0);
    expect(back.out.equals(data)).toBe(true);
    // the head of the first sector and the tail of the last are what was there before
    const head = await cliBytes(sock(), ['cat', md, '--bytes', '1001']);
    expect(head.out.equals(before.subarray(0, 1001))).toBe(true);
    const tail = await cliBytes(sock(), ['cat', md, '--offset', String(1001 + data.length), '--bytes', '700']);
    expect(tail.out.equals(Buffer.alloc(700))).toBe(true);
    // an 11-byte read at an odd offset inside a sector, and a read past the end is cut at the end
    const eleven = await cliBytes(sock(), ['cat', md, '--offset', '2000', '--bytes', '11']);
    expect(eleven.out.equals(data.subarray(999, 1010))).toBe(true);
    const end = await cliBytes(sock(), ['cat', md, '--offset', String(4 * 1024 * 1024 - 5)]);
    expect(end.out.length).toBe(5);
    // past the end: ENOSPC, and nothing written
    const over = await cliIn(sock(), ['write', md, '-', '--offset', String(4 * 1024 * 1024 - 3)], Buffer.from('hello'));
    expect(over.code).toBe(1);
    expect(over.stderr).toMatch(/^devfs: ENOSPC: /);
    expect((await cliBytes(sock(), ['cat', md, '--offset', String(4 * 1024 * 1024 - 3)])).out.equals(Buffer.alloc(3))).toBe(true);
    expect((await cli(sock(), ['md', 'destroy', md])).code).toBe(0);
  }, 60000);

  test('a vnode disk: the image file holds exactly what stdin sent at --offset', async () => {
    const img = path.join(files, 'v.img');
    fs.writeFileSync(img, Buffer.alloc(1024 * 1024, 0x5a));
    const md = (await cli(sock(), ['md', 'create', '-t', 'vnode', '-f', img])).stdout.trim();
    const data = crypto.randomBytes(70_001);
    expect((await cliIn(sock(), ['write', md, '-', '--offset', '513'], data)).code).toBe(0);
    const onDisk = fs.readFileSync(img);
    expect(onDisk.subarray(513, 513 + data.length).equals(data)).toBe(true);
    expect(onDisk.subarray(0, 513).equals(Buffer.alloc(513, 0x5a))).toBe(true);
    expect(onDisk.subarray(513 + data.length).equals(Buffer.alloc(onDisk.length - 513 - data.length, 0x5a))).toBe(true);
    expect((await cli(sock(), ['md', 'destroy', md])).code).toBe(0);
  }, 30000);

  test('stream devices: no --offset (ESPIPE); write - streams stdin; a literal argument is UTF-8 text', async () => {
    const off = await cliIn(sock(), ['write', 'null', '-', '--offset', '5'], Buffer.from('x'));
    expect(off.code).toBe(1);
    expect(off.stderr).toMatch(/^devfs: ESPIPE: --offset needs a disk/);
    expect((await cliBytes(sock(), ['cat', 'zero', '--offset', '1'])).stderr).toMatch(/^devfs: ESPIPE: /);
    const big = crypto.randomBytes(3 * 1024 * 1024);
    const w = await cliIn(sock(), ['--json', 'write', 'null', '-'], big);
    expect(JSON.parse(w.stdout)).toEqual({ path: 'null', bytes: big.length });
    expect(JSON.parse((await cli(sock(), ['--json', 'write', 'null', 'h\u00e9'])).stdout)).toEqual({ path: 'null', bytes: 3 });
    const z = await cliBytes(sock(), ['cat', 'zero', '--bytes', '11']);
    expect(z.out.equals(Buffer.alloc(11))).toBe(true);
  }, 30000);

  test('progress on a terminal: bytes and rate on stderr (a pty from script(1)); none when stderr is not a terminal', async () => {
    const big = path.join(files, 'big.bin');
    fs.writeFileSync(big, crypto.randomBytes(4 * 1024 * 1024));
    const cmd = `${process.execPath} ${BIN} --socket ${sock()} write null - < ${big}`;
    const tty = execFileSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'latin1', timeout: 20000 });
    expect(tty).toMatch(/\rwritten 4\.0 MiB \(4194304 bytes\), [\d.]+ [KMG]?i?B\/s/);
    const piped = await cliIn(sock(), ['write', 'null', '-'], fs.readFileSync(big));
    expect(piped).toMatchObject({ code: 0, stderr: '' });
  }, 30000);

  test('bad numbers are EINVAL before anything is sent', async () => {
    for (const bad of [['cat', 'zero', '--offset', '-1'], ['cat', 'zero', '--bytes', '1e3'], ['write', 'null', 'x', '--offset', 'abc']]) {
      const r = await cli(sock(), bad);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/^devfs: EINVAL: /);
    }
  });

  testHost('uid 65534: the jail shows no disk (ENOENT for write - and cat --offset), stream devices work', [needRoot], async () => {
    const md = (await cli(sock(), ['md', 'create', '-t', 'malloc', '-s', '1m'])).stdout.trim();
    const w = await cliIn(sock(), ['write', md, '-'], Buffer.alloc(512, 1), NOBODY);
    expect(w.code).toBe(1);
    expect(w.stderr).toMatch(/^devfs: ENOENT: /);
    expect((await cliBytes(sock(), ['cat', md, '--offset', '512', '--bytes', '3'], NOBODY)).stderr).toMatch(/^devfs: ENOENT: /);
    expect((await cliBytes(sock(), ['cat', md, '--bytes', '512'])).out.equals(Buffer.alloc(512))).toBe(true); // nothing written
    const n = await cliIn(sock(), ['--json', 'write', 'null', '-'], Buffer.alloc(100_000, 7), NOBODY);
    expect(JSON.parse(n.stdout)).toEqual({ path: 'null', bytes: 100_000 });
    expect((await cli(sock(), ['md', 'destroy', md])).code).toBe(0);
  }, 30000);
});
