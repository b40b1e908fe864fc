/**
 * The export served by this process, used by child processes only (this process must never
 * touch its own mount synchronously): requests answered concurrently, FUSE_INTERRUPT ending a
 * blocked read, unknown operations ENOSYS; and an unprivileged server mounting through
 * fusermount3 (the fd handed over by SCM_RIGHTS), or saying how to fix its absence.
 */
import { execFile, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createKernel, devfsError, POLLIN, POLLOUT } from '@devfs/core';
import type { Cdevsw, Kernel, Mount } from '@devfs/core';
import { startFuseExport } from '../src';
import type { FuseExport } from '../src';
import { describeHost, needFile, needRoot, needTool } from '../../../test-support/host';
import { letOthersReachRepo, REPO } from '../../cli/test/helpers';
import { until } from '../../../test-support/wait';

function sh(cmd: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile('sh', ['-c', cmd], { timeout: 20000 }, (e, out, err) => resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, out, err }));
  });
}

describeHost('FUSE export in this process, used by child processes', [needRoot, needFile('/dev/fuse'), needTool('python3')], () => {
  let dir = '';
  let kernel: Kernel;
  let root: Mount;
  let ex: FuseExport | undefined;
  // 'gate': every read waits until five are in flight at once, then all complete
  const waiting: Array<(n: number) => void> = [];
  const gatesw: Cdevsw = {
    d_name: 'gate',
    d_read: (_dev, buf) => new Promise<number>((resolve) => {
      waiting.push((n) => { buf.fill(0x41, 0, n); resolve(n); });
      if (waiting.length === 5) for (const w of waiting.splice(0)) w(1);
    }),
  };
  // 'never': nothing ever to read or write (EAGAIN, never ready)
  const neversw: Cdevsw = {
    d_name: 'never',
    d_read: () => { throw devfsError('EAGAIN', 'read', 'never'); },
    d_write: () => { throw devfsError('EAGAIN', 'write', 'never'); },
    d_poll: (_dev, events) => events & ~(POLLIN | POLLOUT),
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devfs-fuse-'));
    kernel = createKernel({ memDevices: true });
    root = kernel.mount({ name: 'root' });
    kernel.make_dev(gatesw, 0, 0, 0, 0o666, 'gate');
    kernel.make_dev(neversw, 0, 0, 0, 0o666, 'never');
    for (let i = 1; i <= 4; i++) kernel.make_dev(neversw, i, 0, 0, 0o666, 'never%d', i);
    fs.chmodSync(dir, 0o755);
    ex = await startFuseExport({ kernel, dir: path.join(dir, 'mnt'), mountFor: () => root, maxHeldWriteBytes: 3 * ((1 << 20) + 4096) });
  });
  afterAll(async () => {
    await ex?.close();
    await sh(`umount -l ${dir}/mnt 2>/dev/null`);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers many requests at once: five reads each waiting for the other four all complete', async () => {
    const reads = Array.from({ length: 5 }, () => sh(`head -c 1 ${dir}/mnt/gate`));
    const outs = await Promise.all(reads);
    expect(outs.map((o) => o.out)).toEqual(['A', 'A', 'A', 'A', 'A']);
  });

  it('ends a blocked read with EINTR when the caller takes a signal (FUSE_INTERRUPT), the file still open', async () => {
    const py = [
      'import os, signal, sys, time',
      'class Alarm(Exception): pass',
      'def on(*a): raise Alarm()',
      'signal.signal(signal.SIGALRM, on)',
      `fd = os.open('${dir}/mnt/never', os.O_RDONLY)`,
      'signal.setitimer(signal.ITIMER_REAL, 0.3)',
      'try:',
      '    os.read(fd, 10); print("read returned")',
      'except Alarm:',
      '    print("interrupted")',
      'sys.stdout.flush(); time.sleep(0.3); os.close(fd)',
    ].join('\n');
    const child = spawn('python3', ['-c', py], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b) => { out += b; });
    await new Promise<void>((resolve) => child.stdout.on('data', () => { if (out.includes('\n')) resolve(); }));
    expect(out).toBe('interrupted\n');
    expect(ex!.inFlight).toBe(0);
    await new Promise((r) => child.once('exit', r));
    // O_NONBLOCK on the same device: EAGAIN at once
    const nb = await sh(`python3 -c "import os; fd=os.open('${dir}/mnt/never', os.O_RDONLY|os.O_NONBLOCK)\ntry: os.read(fd, 1)\nexcept BlockingIOError: print('EAGAIN')"`);
    expect(nb.out).toBe('EAGAIN\n');
  });

  it('bounds the write payload held for callers other than root (ENOBUFS past it); root is still served', async () => {
    // one device each: the kernel lets one direct write at a time into an inode
    const writers = [1, 2, 3].map((i) => spawn('dd', ['if=/dev/zero', `of=${dir}/mnt/never${i}`, 'bs=1M', 'count=1'], { uid: 65534, gid: 65534, stdio: 'ignore' }));
    const exits = writers.map((w) => new Promise((r) => w.once('exit', r)));
    await until(() => ex!.inFlight >= 3, 'three writes in flight', 10000, 20);
    expect(ex!.inFlight).toBe(3);
    const refused = await new Promise<string>((resolve) => {
      execFile('dd', ['if=/dev/zero', `of=${dir}/mnt/never4`, 'bs=1M', 'count=1'], { uid: 65534, gid: 65534 }, (_e, _o, err) => resolve(err));
    });
    expect(refused).toMatch(/No buffer space available/);
    expect((await sh(`dd if=/dev/zero of=${dir}/mnt/null bs=1M count=4 2>&1`)).out).toMatch(/4194304 bytes/);
    for (const w of writers) w.kill('SIGKILL');
    await Promise.all(exits);
    await until(() => ex!.inFlight === 0, 'no write in flight', 10000, 20);
    expect(ex!.inFlight).toBe(0);
  });

  it('answers operations it does not implement with ENOSYS or the mount\'s refusal, and keeps serving', async () => {
    const mk = await sh(`mkdir ${dir}/mnt/newdir`);
    expect(mk.code).not.toBe(0);
    expect(mk.err).toMatch(/Function not implemented/);
    const mv = await sh(`mv ${dir}/mnt/zero ${dir}/mnt/zero2`);
    expect(mv.code).not.toBe(0);
    expect((await sh(`ls ${dir}/mnt`)).out).toMatch(/^zero$/m);
  });
});

/** FUSE_PASSTHROUGH came with Linux 6.9. */
const needPassthrough = (): string | null => {
  const [maj, min] = os.release().split('.').map(Number);
  return maj > 6 || (maj === 6 && min >= 9) ? null : `needs Linux >= 6.9 for FUSE passthrough (this is ${os.release()})`;
};

describeHost('FUSE passthrough (experimental option)', [needRoot, needFile('/dev/fuse'), needTool('python3'), needPassthrough], () => {
  let dir = '';
  beforeAll(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devfs-fuse-pt-')); });
  afterAll(async () => {
    await sh(`umount -l ${dir}/pt-mnt 2>/dev/null`);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a read-only open of a device with a backing file is read by the kernel from that file', async () => {
    const backing = path.join(dir, 'backing.bin');
    fs.writeFileSync(backing, Buffer.alloc(1 << 20, 0x22));
    // a device whose driver answers 0x11 bytes; its declared backing file holds 0x22 bytes
    const sw: Cdevsw = { d_name: 'pt', d_read: (_d, buf) => { buf.fill(0x11); return buf.length; }, d_write: (_d, buf) => buf.length };
    const kernel = createKernel();
    const root = kernel.mount({ name: 'root' });
    kernel.make_dev(sw, 0, 0, 0, 0o666, 'pt');
    const pt = await startFuseExport({
      kernel, dir: path.join(dir, 'pt-mnt'), mountFor: () => root, passthrough: true,
      describe: (d) => (d.si_name === 'pt' ? { size: 1 << 20, sectorSize: 512, backingFile: backing } : undefined),
    });
    try {
      const ro = await sh(`head -c 4 ${dir}/pt-mnt/pt | od -An -tx1`);
      expect(ro.out.trim()).toBe('22 22 22 22');
      const rw = await sh(`python3 -c "import os; fd=os.open('${dir}/pt-mnt/pt', os.O_RDWR); print(os.read(fd, 4).hex())"`);
      expect(rw.out).toBe('11111111\n');
    } finally {
      await pt.close();
    }
  });
});

describeHost('FUSE export by an unprivileged server (fusermount3)', [needRoot, needFile('/dev/fuse'), needTool('fusermount3')], () => {
  let dir = '';
  let restore: () => void = () => undefined;
  let fuseMode = 0;
  beforeAll(() => {
    restore = letOthersReachRepo();
    // fusermount3 opens /dev/fuse as the calling user: distributions make it 0666 (udev); this
    // machine has 0600, so the test opens it up for its own duration
    fuseMode = fs.statSync('/dev/fuse').mode & 0o7777;
    fs.chmodSync('/dev/fuse', 0o666);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devfs-fuse-u-'));
    fs.chmodSync(dir, 0o755);
    fs.mkdirSync(path.join(dir, 'mnt'));
    fs.chownSync(path.join(dir, 'mnt'), 65534, 65534);
  });
  afterAll(async () => {
    await sh(`umount -l ${dir}/mnt 2>/dev/null`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.chmodSync('/dev/fuse', fuseMode);
    restore();
  });

  const server = (env: Record<string, string>): Promise<string> => {
    const mnt = path.join(dir, 'mnt');
    const script = `
      const { createKernel } = require(${JSON.stringify(path.join(REPO, 'packages/core'))});
      const { startFuseExport } = require(${JSON.stringify(path.join(REPO, 'packages/fuse'))});
      const { execFile } = require('child_process');
      (async () => {
        const k = createKernel({ memDevices: true });
        const m = k.mount({ name: 'root' });
        const ex = await startFuseExport({ kernel: k, dir: ${JSON.stringify(mnt)}, mountFor: () => m });
        execFile('/bin/sh', ['-c', 'grep -c " ${mnt} .* fuse.devfs " /proc/self/mountinfo; ls ${mnt}'], async (e, out) => {
          console.log(out.trim().split('\\n').join(' '));
          await ex.close();
          execFile('/bin/sh', ['-c', 'grep -c " ${mnt} " /proc/self/mountinfo'], (e2, o2) => console.log('after', o2.trim()));
        });
      })().catch((e) => console.log('ERR', e.code, e.message));`;
    return new Promise((resolve) => {
      execFile(process.execPath, ['-e', script], { uid: 65534, gid: 65534, cwd: '/', env, timeout: 20000 }, (_e, out, err) => resolve(out + err));
    });
  };

  it('mounts through fusermount3 (fd over SCM_RIGHTS), serves, and unmounts with fusermount3 -u', async () => {
    const out = await server({ PATH: process.env.PATH ?? '/usr/bin:/bin' });
    expect(out).toMatch(/^1 full null random urandom zero\n/);
    expect(out).toContain('after 0');
  });

  it('without root and without fusermount3: ENOTSUP naming the fix', async () => {
    const out = await server({ PATH: '/nonexistent' });
    expect(out).toMatch(/ERR ENOTSUP .*fusermount3 is not installed.*apt-get install fuse3/);
  });
});
