import * as fs from 'fs';
import { createKernel } from '@devfs/core';
import { native } from '@devfs/native';
import { PtyDriver, spawn } from '@devfs/drivers-pty';
import { describeHost, needRoot, needTool } from '../../../test-support/host';
import { until } from '../../../test-support/wait';
import { collect, ptyFds, waitFor, zombies } from './helpers';
import { base64Fixture, sha256 } from '../../../test-support/pty';

const env = { PATH: process.env.PATH, LC_ALL: 'C' };

/** Child processes of ours (running or zombie) whose command is `comm`. */
function childrenNamed(comm: string): number[] {
  const out: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (name === comm && ppid === process.pid) out.push(Number(d));
    } catch { /* gone */ }
  }
  return out;
}

describeHost('spawn() on a real pty', [needTool('stty'), needTool('base64'), needTool('tty')], () => {
  test('stty size prints the rows/cols given, and again after resize', async () => {
    const pty = spawn('sh', ['-c', 'stty size; read x; stty size'], { cols: 91, rows: 33, env });
    const done = collect(pty);
    await waitFor(pty, /33 91\r\n/);
    expect([pty.cols, pty.rows]).toEqual([91, 33]);
    pty.resize(120, 50);
    expect([pty.cols, pty.rows]).toEqual([120, 50]);
    pty.write('\r');
    const out = await done;
    expect(out.data.join('')).toMatch(/33 91\r\n[\s\S]*50 120\r\n$/);
    expect(out.exit.exitCode).toBe(0);
  });

  test('tty in the child names a pts; the child sees no fd of ours but 0, 1, 2', async () => {
    const pty = spawn('sh', ['-c', 'tty; exec ls -l /proc/self/fd'], { env });
    const text = (await collect(pty)).data.join('');
    const ttyName = text.split('\r\n')[0];
    expect(ttyName).toMatch(/^\/dev\/pts\/\d+$/);
    expect((pty as unknown as { ptsName: string }).ptsName).toBe(ttyName);
    const fds = [...text.matchAll(/ (\d+) -> (\S+)/g)].map((m) => [m[1], m[2]]);
    expect(fds.map((f) => f[0])).toEqual(['0', '1', '2', '3']); // 3: the directory ls reads
    expect(fds.slice(0, 3).every((f) => f[1] === ttyName)).toBe(true);
    expect(text).not.toContain('ptmx');
  });

  test('write "echo hi\\r" and read it back', async () => {
    const pty = spawn('sh', [], { env });
    const done = collect(pty);
    pty.write('echo hi\r');
    await waitFor(pty, /(?:^|\n|# )hi\r\n/);
    pty.write('exit 7\r');
    const out = await done;
    expect(out.exit).toEqual({ exitCode: 7, signal: 0 });
  });

  test('20 runs of base64 of 5 MB random bytes deliver every byte (length and sha256); onExit after the last onData', async () => {
    const fx = base64Fixture('pty-spawn');
    try {
      for (let run = 0; run < 20; run++) {
        // the pipe makes the shell, not base64, the last writer: the same end-of-output race
        const out = await collect(spawn('sh', ['-c', `head -c 5000000 ${fx.file} | base64`], { env, encoding: null }));
        const got = Buffer.concat(out.data);
        expect(got.length).toBe(fx.length);
        expect(sha256(got)).toBe(fx.sha256);
        expect(out.exit.exitCode).toBe(0);
        expect(out.afterExit).toBe(0);
      }
    } finally {
      fx.remove();
    }
  });

  test('a UTF-8 character split across reads is never mangled', async () => {
    // € is e2 82 ac: the first byte arrives alone, the rest 50 ms later
    const pty = spawn('sh', ['-c', "printf '\\342'; sleep 0.05; printf '\\202\\254\\n'"], { env });
    const out = await collect(pty);
    expect(out.data.join('')).toBe('€\r\n');
    expect(out.data.join('')).not.toContain('\ufffd');
  });

  test('encoding null gives Buffers', async () => {
    const out = await collect(spawn('printf', ['\\377\\376'], { env, encoding: null }));
    expect(Buffer.isBuffer(out.data[0])).toBe(true);
    expect(Buffer.concat(out.data)).toEqual(Buffer.from([0xff, 0xfe]));
  });

  test('resize after exit is a typed error; write and kill after exit are ignored (as node-pty)', async () => {
    const pty = spawn('true', [], { env });
    await collect(pty);
    expect(() => pty.resize(100, 30)).toThrow(expect.objectContaining({ name: 'DevfsError', code: 'EBADF', syscall: 'resize' }));
    expect(() => pty.write('x')).not.toThrow();
    expect(() => pty.kill()).not.toThrow();
    expect(() => pty.resize(0, 30)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });

  test('kill sends a signal; onExit reports it', async () => {
    const pty = spawn('sleep', ['30'], { env });
    const done = collect(pty);
    await until(() => pty.process === 'sleep', 'the program to be sleep');
    expect(() => pty.kill('SIGNOPE')).not.toThrow(); // ignored, as node-pty
    pty.kill('SIGTERM');
    expect((await done).exit).toEqual({ exitCode: 0, signal: 15 });
  });

  test('the output reader cannot be made (EMFILE): spawn throws it; the program is killed and reaped, the pty closed', async () => {
    const before = ptyFds();
    const real = native.FdPoller;
    native.FdPoller = function failing() {
      throw Object.assign(new Error('EMFILE: too many open files, uv_poll_init'), { code: 'EMFILE', errno: -24, syscall: 'uv_poll_init' });
    } as unknown as typeof native.FdPoller;
    try {
      expect(() => spawn('sleep', ['30'], { env })).toThrow(expect.objectContaining({ code: 'EMFILE' }));
    } finally {
      native.FdPoller = real;
    }
    expect(ptyFds()).toEqual(before);
    await until(() => childrenNamed('sleep').length === 0, 'the sleep child to be reaped', 2000, 20);
    expect(childrenNamed('sleep')).toEqual([]); // neither running nor a zombie
  });

  test('with throwOnSpawnError a missing program is ENOENT from spawn(); nothing is left behind', () => {
    const before = ptyFds();
    expect(() => spawn('devfs-no-such-program', [], { env, throwOnSpawnError: true })).toThrow(
      expect.objectContaining({ name: 'DevfsError', code: 'ENOENT', path: 'devfs-no-such-program' }));
    expect(ptyFds()).toEqual(before);
    expect(zombies()).toEqual([]);
  });

  test('output in bursts under a busy event loop: the reading moves to a thread mid-stream; every byte arrives, in order', async () => {
    const n = 150000;
    const expected = Array.from({ length: n }, (_, i) => `${i + 1}\r\n`).join('');
    const busy = setInterval(() => { const t = Date.now(); while (Date.now() - t < 2); }, 4);
    try {
      // bursts of ~20 KB with pauses: the loop reader sees bulk reads, then gaps while it is busy
      const pty = spawn('sh', ['-c', 'for b in $(seq 0 49); do seq $((b*3000+1)) $((b*3000+3000)); sleep 0.01; done'], { env });
      let onThread = false;
      pty.onData(() => { onThread ||= (pty as unknown as { reader?: object }).reader !== undefined; });
      const out = await collect(pty);
      expect(onThread).toBe(true);
      expect(out.data.join('')).toBe(expected);
      expect(out.afterExit).toBe(0);
    } finally {
      clearInterval(busy);
    }
  });

  test('pause stops delivery; resume delivers everything', async () => {
    const pty = spawn('sh', ['-c', 'read x; echo after-$x'], { env });
    const done = collect(pty);
    pty.pause();
    pty.write('go\r');
    await new Promise((r) => setTimeout(r, 200)); // deliberate: a window in which a paused pty must NOT report the exit
    const seenWhilePaused = (await Promise.race([done, Promise.resolve(undefined)]));
    expect(seenWhilePaused).toBeUndefined(); // cannot exit-report before output ended
    pty.resume();
    const out = await done;
    expect(out.data.join('')).toContain('after-go');
  });

  test('handleFlowControl: XOFF pauses the output and XON resumes it, neither reaches the child; off, they are plain input', async () => {
    // the child reads two raw bytes and prints them in hex: only 'z' and 'y' may arrive
    const script = 'stty raw -echo -ixon; printf READY; v=$(head -c 2 | od -An -tx1); sleep 0.2; printf "got%s%s;" $v';
    const pty = spawn('sh', ['-c', script], { env, handleFlowControl: true });
    let text = '';
    pty.onData((d) => { text += d; });
    const done = collect(pty);
    await waitFor(pty, /READY/);
    pty.write('\x13'); // paused, not sent
    pty.write('z');
    pty.write('y');
    await new Promise((r) => setTimeout(r, 700)); // deliberate: the child answers within it, and paused output must NOT show
    expect(text).not.toContain('got'); // the child has answered by now, but output is paused
    pty.write('\x11'); // resumed, not sent
    const out = await done;
    expect(out.data.join('')).toContain('got7a79;');
    expect(out.exit.exitCode).toBe(0);

    const plain = spawn('sh', ['-c', script], { env }); // handleFlowControl off: XOFF is input
    const done2 = collect(plain);
    await waitFor(plain, /READY/);
    plain.write('\x13z');
    expect((await done2).data.join('')).toContain('got137a;');
  });

  test('a stalled reader does not spin the CPU while 1 MB waits to be written', async () => {
    // the child never reads its terminal: input piles up in our queue, waiting for POLLOUT
    const pty = spawn('sleep', ['30'], { env });
    const done = collect(pty);
    pty.write(Buffer.alloc(1024 * 1024, 'a'));
    const p = pty as unknown as { queuedInput: number };
    expect(p.queuedInput).toBeGreaterThan(1024 * 1024 - 64 * 1024);
    const t0 = process.hrtime.bigint();
    const before = process.cpuUsage();
    await new Promise((r) => setTimeout(r, 1000)); // deliberate: the window whose CPU use is measured
    const used = process.cpuUsage(before);
    const wallUs = Number(process.hrtime.bigint() - t0) / 1000;
    // a retry loop would keep a core at ~100% for the whole wait; the bound is a share of wall time
    // so GC and runner noise on a loaded machine (cpuUsage counts every thread) cannot fail it
    expect(used.user + used.system).toBeLessThan(0.3 * wallUs);
    pty.kill('SIGKILL');
    expect((await done).exit.signal).toBe(9);
  });

  test('no /dev/ptmx or pts fd is left after 500 spawn/exit cycles; no zombie', async () => {
    const before = ptyFds();
    for (let i = 0; i < 500; i++) {
      const out = await collect(spawn('true', [], { env }));
      if (out.exit.exitCode !== 0) throw new Error(`cycle ${i}: ${JSON.stringify(out.exit)}`);
    }
    expect(ptyFds()).toEqual(before);
    expect(zombies()).toEqual([]);
  });
});

describeHost('spawn() as another user', [needRoot, needTool('id'), needTool('stat'), needTool('tty')], () => {
  test('uid and gid apply to the child', async () => {
    const out = await collect(spawn('sh', ['-c', 'id -u; id -g'], { env, uid: 65534, gid: 65534 }));
    expect(out.data.join('').split('\r\n').slice(0, 2)).toEqual(['65534', '65534']);
  });

  // As a login's terminal: owner the user, group tty, 0620 — the program can reopen its own tty.
  const OWN_TTY = 'stat -c "%u %G %a" $(tty); echo ok-$(id -u) > $(tty) && echo wrote';

  test('the host slave is the user\'s: owner 65534, group tty, mode 0620; `echo > $(tty)` reaches the output', async () => {
    const out = await collect(spawn('sh', ['-c', OWN_TTY], { env, uid: 65534, gid: 65534 }));
    expect(out.data.join('')).toBe('65534 tty 620\r\nok-65534\r\nwrote\r\n');
    expect(out.exit.exitCode).toBe(0);
  });

  test('the same through the pty driver (as the daemon spawns for a client), with only uid given', async () => {
    const driver = new PtyDriver(createKernel({ memDevices: false }));
    driver.attach();
    try {
      const out = await collect(driver.spawn('sh', ['-c', OWN_TTY], { env, uid: 65534 }));
      expect(out.data.join('')).toBe('65534 tty 620\r\nok-65534\r\nwrote\r\n');
    } finally {
      await driver.detach();
    }
  });
});
