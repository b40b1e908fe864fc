/**
 * PtyReader (a pty master read by a thread of its own) and ProcessWatcher.reap, on real ptys and
 * processes: order and completeness, pause, what close() hands back, the thread's bound, reaping.
 */
import * as fs from 'fs';
import { native } from '@devfs/native';
import type { PtyReader } from '@devfs/native';
import { describeHost, needTool } from '../../test-support/host';
import { ptyFds, zombies } from '../../test-support/pty';
import { until } from '../../test-support/wait';

const env = ['PATH=/usr/bin:/bin', 'LC_ALL=C'];

/** A program on a new pty; the caller reads the master. */
function start(file: string, args: string[]): { fd: number; pid: number } {
  const pair = native.ptyOpen();
  const pid = native.ptySpawn({ file, args, ptsPath: pair.ptsPath, env });
  return { fd: pair.fd, pid };
}

/** Blocks this thread (the loop) for `ms`: the reader thread goes on without it. */
function block(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) { /* the loop is busy on purpose */ }
}

describeHost('native PtyReader and ProcessWatcher.reap', [needTool('seq'), needTool('head')], () => {
  test('everything arrives in order, then onEnd once; close joins and the fd is ours to close', async () => {
    const before = ptyFds();
    const { fd, pid } = start('seq', ['1', '100000']);
    const chunks: Buffer[] = [];
    let ends = 0;
    let reader: PtyReader | undefined;
    await new Promise<void>((resolve) => {
      reader = new native.PtyReader(fd, { onData: (c) => chunks.push(...c), onEnd: () => { ends++; resolve(); } });
      block(30); // output piles up on the thread's side meanwhile
    });
    await new Promise<void>((r) => new native.ProcessWatcher(pid, () => r()));
    expect(reader!.close()).toBeUndefined();
    expect(reader!.closed).toBe(true);
    native.fdClose(fd);
    const expected = Array.from({ length: 100000 }, (_, i) => `${i + 1}\r\n`).join('');
    expect(Buffer.concat(chunks).toString('latin1')).toBe(expected);
    expect(ends).toBe(1);
    expect(ptyFds()).toEqual(before);
  });

  test('paused: nothing is delivered and the thread stops (the program blocks); resume delivers all', async () => {
    const { fd, pid } = start('head', ['-c', '2000000', '/dev/zero']);
    let got = 0;
    let ended = false;
    const reader = new native.PtyReader(fd, { onData: (c) => { for (const b of c) got += b.length; }, onEnd: () => { ended = true; } });
    reader.pause();
    await new Promise((r) => setTimeout(r, 300)); // deliberate: a window in which a paused reader must deliver nothing
    expect(got).toBe(0);
    expect(fs.existsSync(`/proc/${pid}`)).toBe(true); // blocked writing: nobody reads
    reader.resume();
    const exited = new Promise<void>((r) => new native.ProcessWatcher(pid, () => r()));
    await until(() => ended, 'the end of the output');
    await exited;
    reader.close();
    native.fdClose(fd);
    expect(got).toBe(2000000);
  });

  test('close() hands back what the thread read and the loop did not get; no callback after it', async () => {
    const { fd, pid } = start('head', ['-c', '100000', '/dev/zero']);
    let delivered = 0;
    const reader = new native.PtyReader(fd, { onData: (c) => { for (const b of c) delivered += b.length; }, onEnd: () => { delivered = -1; } });
    block(200); // the thread reads it all (bounded by maxBuffered 4 MiB); the loop never turns
    const rest = reader.close();
    await new Promise<void>((r) => new native.ProcessWatcher(pid, () => r()));
    await new Promise((r) => setTimeout(r, 50)); // deliberate: a window in which no callback may come after close()
    expect(delivered).toBe(0);
    expect(rest?.length).toBe(100000);
    native.fdClose(fd);
  });

  test('maxBuffered bounds what waits for a busy loop: the program is held back, nothing is lost', async () => {
    const { fd, pid } = start('head', ['-c', '1000000', '/dev/zero']);
    let got = 0;
    let ended = false;
    const reader = new native.PtyReader(fd, { maxBuffered: 65536, onData: (c) => { for (const b of c) got += b.length; }, onEnd: () => { ended = true; } });
    block(300);
    expect(fs.existsSync(`/proc/${pid}`)).toBe(true); // 64 KiB (+ a round) taken, then the writer waits
    const rest = reader.close();
    expect(rest!.length).toBeGreaterThan(0);
    expect(rest!.length).toBeLessThanOrEqual(65536 + 320 * 1024); // the bound, plus at most one round
    expect(() => new native.PtyReader(fd, { maxBuffered: 10, onData: () => {}, onEnd: () => {} })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    // the rest, read on with a new reader: the total is the program's whole output
    const again = new native.PtyReader(fd, { onData: (c) => { for (const b of c) got += b.length; }, onEnd: () => { ended = true; } });
    await until(() => ended, 'the end of the output');
    again.close();
    native.fdClose(fd);
    await new Promise<void>((r) => new native.ProcessWatcher(pid, () => r()));
    expect(got + rest!.length).toBe(1000000);
  });

  test('reap(ms) after SIGKILL: reaped before it returns, the status given back, onExit never called', async () => {
    const { fd, pid } = start('sleep', ['30']);
    let called = 0;
    const w = new native.ProcessWatcher(pid, () => { called++; });
    expect(w.reap(10)).toBeUndefined(); // alive: waits 10 ms, reaps nothing
    w.kill(9);
    expect(w.reap(1000)).toEqual([0, 9]);
    expect(fs.existsSync(`/proc/${pid}`)).toBe(false); // no zombie either
    expect(w.exited).toBe(true);
    expect(w.reap(10)).toBeUndefined();
    await new Promise((r) => setTimeout(r, 50)); // deliberate: a window in which the reaped child's callback must NOT run
    expect(called).toBe(0);
    native.fdClose(fd);
    expect(zombies()).toEqual([]);
  });
});
