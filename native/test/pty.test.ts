import * as fs from 'fs';
import { native } from '@devfs/native';
import { describeHost, needRoot, needTool } from '../../test-support/host';
import { base64Fixture, ptyFds, sha256, zombies } from '../../test-support/pty';

interface Run {
  out: Buffer;
  code: number;
  signal: number;
  pid: number;
  ptsPath: string;
}

/** Runs a program on a fresh pty and collects everything it printed and its exit status. */
function runOnPty(file: string, args: string[], opts: { cols?: number; rows?: number; uid?: number; gid?: number;
  input?: string } = {}): Promise<Run> {
  const pair = native.ptyOpen();
  native.ptySetWinsize(pair.fd, opts.cols ?? 80, opts.rows ?? 24);
  let pid: number;
  try {
    pid = native.ptySpawn({ file, args, ptsPath: pair.ptsPath, uid: opts.uid, gid: opts.gid,
      env: [`PATH=${process.env.PATH}`, 'TERM=xterm', 'LC_ALL=C'] });
  } catch (err) {
    native.fdClose(pair.fd);
    throw err;
  }
  const chunks: Buffer[] = [];
  const ended = new Promise<void>((resolve, reject) => {
    const poller = new native.FdPoller(pair.fd, { ownsFd: true, onData: (c) => chunks.push(...c),
      onEnd: (err) => { poller.close(); if (err) reject(err); else resolve(); } });
    poller.startReading();
    if (opts.input) poller.write(Buffer.from(opts.input));
  });
  const exited = new Promise<[number, number]>((resolve) => new native.ProcessWatcher(pid, (c, s) => resolve([c, s])));
  return Promise.all([ended, exited]).then(([, [code, signal]]) => ({ out: Buffer.concat(chunks), code, signal, pid,
    ptsPath: pair.ptsPath }));
}

describe('pty pair', () => {
  test('ptyOpen gives a non-blocking close-on-exec master, window size and ptn round-trip', () => {
    const p = native.ptyOpen();
    try {
      expect(p.ptsPath).toBe(`/dev/pts/${p.ptn}`);
      expect(native.ptyGetPtn(p.fd)).toBe(p.ptn);
      native.ptySetWinsize(p.fd, 132, 43);
      expect(native.ptyGetWinsize(p.fd)).toEqual({ cols: 132, rows: 43 });
      expect(() => native.ptySetWinsize(p.fd, 0, 10)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
      expect(() => native.fdRead(p.fd, Buffer.alloc(8))).toThrow(expect.objectContaining({ code: 'EAGAIN' }));
      const flags = fs.readFileSync(`/proc/self/fdinfo/${p.fd}`, 'utf8').match(/flags:\s+(\d+)/)![1];
      const f = parseInt(flags, 8);
      expect(f & 0o2000000).toBeTruthy(); // O_CLOEXEC
      expect(f & 0o4000).toBeTruthy(); // O_NONBLOCK
      const s = native.ptyOpenSlave(p.ptsPath);
      expect(native.ptyGetWinsize(s)).toEqual({ cols: 132, rows: 43 });
      native.fdClose(s);
      expect(() => native.ptyOpenSlave('/dev/null')).toThrow(expect.objectContaining({ code: 'ENOTTY' }));
      expect(() => native.ptyOpenSlave('/dev/pts/no-such')).toThrow(expect.objectContaining({ code: 'ENOENT', path: '/dev/pts/no-such' }));
    } finally {
      native.fdClose(p.fd);
    }
  });
});

describeHost('ptySpawn', [needTool('ps'), needTool('stty'), needTool('base64')], () => {
  test('the child runs in a new session with the slave as its controlling terminal and window size', async () => {
    const r = await runOnPty('sh', ['-c', 'tty; ps -o sid= -p $$; stty size; echo pid=$$'], { cols: 101, rows: 37 });
    const lines = r.out.toString().split('\r\n').map((l) => l.trim());
    expect(lines[0]).toBe(r.ptsPath);
    expect(Number(lines[1])).toBe(r.pid);
    expect(lines[2]).toBe('37 101');
    expect(lines[3]).toBe(`pid=${r.pid}`);
    expect(r.code).toBe(0);
  });

  test('the child inherits no fd but 0, 1, 2; signal dispositions are reset', async () => {
    // ls lists its own fds: 0-2 plus the directory it reads (3).
    const r = await runOnPty('sh', ['-c', 'grep SigIgn /proc/self/status; exec ls -l /proc/self/fd']);
    const text = r.out.toString();
    const fds = [...text.matchAll(/ (\d+) -> (\S+)/g)].map((m) => [m[1], m[2]]);
    expect(fds.map((f) => f[0])).toEqual(['0', '1', '2', '3']);
    expect(fds.slice(0, 3).every((f) => f[1] === r.ptsPath)).toBe(true);
    expect(fds[3][1]).toMatch(/^\/proc\/\d+\/fd$/);
    expect(text).toMatch(/SigIgn:\s+0000000000000000/); // Node ignores SIGPIPE; the child must not
  });

  test('writes reach the child and its echo comes back', async () => {
    const r = await runOnPty('sh', [], { input: 'echo hi$((40+2))\rexit 5\r' });
    expect(r.out.toString()).toContain('hi42');
    expect(r.code).toBe(5);
  });

  test('5 runs of base64 of 5 MB deliver every byte (length and sha256)', async () => {
    const fx = base64Fixture('pty');
    try {
      for (let run = 0; run < 5; run++) {
        const r = await runOnPty('base64', [fx.file]);
        expect(r.out.length).toBe(fx.length);
        expect(sha256(r.out)).toBe(fx.sha256);
        expect(r.code).toBe(0);
      }
    } finally {
      fx.remove();
    }
  });

  test('a missing program is ENOENT, reaped at once (no zombie, no fd left)', () => {
    const before = ptyFds();
    for (const file of ['devfs-no-such-program', '/nonexistent/prog']) {
      const p = native.ptyOpen();
      try {
        expect(() => native.ptySpawn({ file, ptsPath: p.ptsPath })).toThrow(
          expect.objectContaining({ code: 'ENOENT', syscall: 'spawn execve', path: file }));
      } finally {
        native.fdClose(p.fd);
      }
    }
    expect(zombies()).toEqual([]);
    expect(ptyFds()).toEqual(before);
    const p = native.ptyOpen();
    expect(() => native.ptySpawn({ file: 'true', cwd: '/nonexistent-dir', ptsPath: p.ptsPath })).toThrow(
      expect.objectContaining({ code: 'ENOENT', syscall: 'spawn chdir', path: '/nonexistent-dir' }));
    native.fdClose(p.fd);
  });

  test('exit by signal reports the signal; killing after the exit is ESRCH', async () => {
    const p = native.ptyOpen();
    const pid = native.ptySpawn({ file: 'sleep', args: ['30'], ptsPath: p.ptsPath });
    let w!: ReturnType<typeof watch>;
    const watch = (cb: (c: number, s: number) => void) => new native.ProcessWatcher(pid, cb);
    const status = await new Promise<[number, number]>((resolve) => {
      w = watch((c, s) => resolve([c, s]));
      w.kill(15);
    });
    expect(status).toEqual([0, 15]);
    expect(w.exited).toBe(true);
    expect(() => w.kill(15)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
    native.fdClose(p.fd);
    expect(zombies()).toEqual([]);
  });

  test('no pty fd left in this process after 500 spawn/exit cycles', async () => {
    const before = ptyFds();
    for (let i = 0; i < 500; i++) {
      const r = await runOnPty('true', []);
      if (r.code !== 0) throw new Error(`cycle ${i}: exit ${r.code}`);
    }
    expect(ptyFds()).toEqual(before);
    expect(zombies()).toEqual([]);
  });
});

describeHost('ptySpawn as another user', [needRoot, needTool('id')], () => {
  test('uid/gid are set after the slave is opened; groups dropped', async () => {
    const r = await runOnPty('sh', ['-c', 'id -u; id -g; id -G; tty'], { uid: 65534, gid: 65534 });
    const lines = r.out.toString().split('\r\n');
    expect(lines.slice(0, 3)).toEqual(['65534', '65534', '65534']);
    expect(lines[3]).toBe(r.ptsPath);
  });
});
