import * as crypto from 'crypto';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { native } from '@devfs/native';
import type { FdPoller } from '@devfs/native';
import { until } from '../../test-support/wait';

const FIONREAD = 0x541b;
const POLLIN = 0x1;
const POLLOUT = 0x4;

/** Reads everything a poller delivers until onEnd. */
function collect(fd: number, opts: { ownsFd?: boolean } = {}) {
  const chunks: Buffer[] = [];
  let poller!: FdPoller;
  const done = new Promise<{ data: Buffer; frames: Buffer[]; err?: Error }>((resolve) => {
    poller = new native.FdPoller(fd, {
      ownsFd: opts.ownsFd ?? true,
      onData: (c) => chunks.push(...c),
      onEnd: (err) => resolve({ data: Buffer.concat(chunks), frames: chunks, err }),
    });
  });
  poller.startReading();
  return { poller, done, chunks };
}

describe('fdio sync helpers', () => {
  test('pipe, write, FIONREAD, poll, read, EAGAIN, close', () => {
    const [r, w] = native.fdPipe();
    try {
      expect(native.fdPoll(r, POLLIN)).toBe(0);
      expect(native.fdWrite(w, Buffer.from('hello world'), 0, 5)).toBe(5);
      expect(native.fdIoctlInt(r, FIONREAD)).toBe(5);
      expect(native.fdPoll(r, POLLIN) & POLLIN).toBe(POLLIN);
      expect(native.fdPoll(w, POLLOUT) & POLLOUT).toBe(POLLOUT);
      const buf = Buffer.alloc(16);
      expect(native.fdRead(r, buf, 2, 10)).toBe(5);
      expect(buf.subarray(2, 7).toString()).toBe('hello');
      expect(() => native.fdRead(r, buf)).toThrow(expect.objectContaining({ code: 'EAGAIN', syscall: 'read', errno: -11 }));
      expect(() => native.fdRead(r, buf, 10, 10)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    } finally {
      native.fdClose(r);
      native.fdClose(w);
    }
    expect(() => native.fdIoctlInt(r, FIONREAD)).toThrow(expect.objectContaining({ code: 'EBADF' }));
  });
});

describe('FdPoller stream mode', () => {
  test('delivers every byte of a pipe in order, then ends after the last chunk', async () => {
    const [r, w] = native.fdPipe();
    const { done } = collect(r);
    const data = crypto.randomBytes(3 * 1024 * 1024 + 17);
    const writer = new native.FdPoller(w, { ownsFd: true, onData: () => {}, onEnd: () => {},
      onWritable: () => writer.close() });
    if (writer.write(data) === 0) writer.close();
    const got = await done;
    expect(got.err).toBeUndefined();
    expect(got.data.length).toBe(data.length);
    expect(got.data.equals(data)).toBe(true);
  });

  test('stopReading pauses delivery; startReading resumes it', async () => {
    const [r, w] = native.fdPipe();
    const { poller, chunks, done } = collect(r);
    poller.stopReading();
    native.fdWrite(w, Buffer.from('abc'));
    await new Promise((res) => setTimeout(res, 50)); // deliberate: a window in which a stopped poller must deliver nothing
    expect(chunks.length).toBe(0);
    expect(poller.reading).toBe(false);
    poller.startReading();
    native.fdClose(w);
    expect((await done).data.toString()).toBe('abc');
  });

  test('a stalled reader: 1 MB waits for POLLOUT without spinning the CPU, then all of it arrives', async () => {
    const [r, w] = native.fdPipe();
    let writable = 0;
    const writer = new native.FdPoller(w, { ownsFd: true, onData: () => {}, onEnd: () => {},
      onWritable: () => { writable++; } });
    const data = crypto.randomBytes(1024 * 1024);
    const queued = writer.write(data);
    expect(queued).toBeGreaterThan(data.length - 1024 * 1024 + 1); // the pipe took at most its buffer
    expect(queued).toBe(writer.queuedBytes);
    expect(() => writer.write(Buffer.alloc(64 * 1024 * 1024))).toThrow(expect.objectContaining({ code: 'ENOBUFS' }));

    const t0 = process.hrtime.bigint();
    const before = process.cpuUsage();
    await new Promise((res) => setTimeout(res, 1000)); // deliberate: the window whose CPU use is measured
    const used = process.cpuUsage(before);
    const wallUs = Number(process.hrtime.bigint() - t0) / 1000;
    // A busy retry loop would keep a core at ~100% for the whole wait; waiting for POLLOUT uses next
    // to none. The bound is a share of wall time so GC and test-runner noise on a loaded machine
    // (process.cpuUsage counts every thread of the process) cannot fail it.
    expect(used.user + used.system).toBeLessThan(0.3 * wallUs);
    expect(writer.queuedBytes).toBe(queued);

    const { done } = collect(r);
    await until(() => writer.queuedBytes === 0, 'the queue to drain', 5000, 5);
    expect(writable).toBe(1);
    writer.close();
    const got = await done;
    expect(got.data.equals(data)).toBe(true);
  });

  test('close() without ownsFd leaves the fd open; with ownsFd closes it', () => {
    const [r, w] = native.fdPipe();
    const p = new native.FdPoller(r, { onData: () => {}, onEnd: () => {} });
    p.startReading();
    p.close();
    expect(p.closed).toBe(true);
    expect(() => p.startReading()).toThrow(expect.objectContaining({ code: 'EBADF' }));
    expect(native.fdIoctlInt(r, FIONREAD)).toBe(0); // still open
    const q = new native.FdPoller(r, { ownsFd: true, onData: () => {}, onEnd: () => {} });
    q.close();
    expect(() => native.fdIoctlInt(r, FIONREAD)).toThrow(expect.objectContaining({ code: 'EBADF' }));
    native.fdClose(w);
  });

  test('a second poller on the same fd is refused with EEXIST', () => {
    const [r, w] = native.fdPipe();
    const p = new native.FdPoller(r, { ownsFd: true, onData: () => {}, onEnd: () => {} });
    expect(() => new native.FdPoller(r, { onData: () => {}, onEnd: () => {} })).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    p.close();
    native.fdClose(w);
  });

  test('bad arguments are clear errors', () => {
    expect(() => new native.FdPoller(-1, { onData: () => {}, onEnd: () => {} })).toThrow(expect.objectContaining({ code: 'EBADF' }));
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    expect(() => new native.FdPoller(0, { mode: 'x' as any, onData: () => {}, onEnd: () => {} })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });
});

describe('FdPoller datagram mode', () => {
  /** A datagram reader: `wait(n)` resolves once at least n frames were queued in total. */
  function frameReader(fd: number, queueFrames?: number) {
    let queuedEvents = 0;
    let ended: Error | null | undefined;
    const poller = new native.FdPoller(fd, {
      mode: 'datagram', ownsFd: true, queueFrames,
      onFrames: () => { queuedEvents++; },
      onEnd: (err) => { ended = err ?? null; },
    });
    poller.startReading();
    return { poller, until: (cond: () => boolean) => until(cond, 'the frame reader'), events: () => queuedEvents, ended: () => ended };
  }

  test('one write is one frame; frames queued on EAGAIN keep their boundaries; readFrame copies them out', async () => {
    const [a, b] = native.socketpairSeqpacket();
    const sizes = Array.from({ length: 400 }, (_, i) => 1 + ((i * 7919) % 1500));
    const frames = sizes.map((n) => crypto.randomBytes(n));
    let drained = 0;
    const writer = new native.FdPoller(a, { mode: 'datagram', ownsFd: true, onFrames: () => {}, onEnd: () => {},
      onWritable: () => { drained++; } });
    for (const f of frames) writer.writeFrame(f);
    expect(writer.queuedBytes).toBeGreaterThan(0); // the socket buffer filled: some frames wait
    const r = frameReader(b, 1000);
    const got: Buffer[] = [];
    const buf = Buffer.alloc(2048);
    await r.until(() => {
      for (let n = r.poller.readFrame(buf); n >= 0; n = r.poller.readFrame(buf)) got.push(Buffer.from(buf.subarray(0, n)));
      return got.length === frames.length;
    });
    expect(drained).toBe(1);
    expect(r.events()).toBeGreaterThan(0);
    writer.close(); // peer closed → read() == 0 → end
    await r.until(() => r.ended() !== undefined);
    expect(r.ended()).toBeNull();
    expect(got.map((f) => f.length)).toEqual(sizes);
    expect(got.every((f, i) => f.equals(frames[i]))).toBe(true);
    r.poller.close();
  });

  test('a full queue stops reading the fd (the kernel keeps the rest); taking a frame resumes; truncation, nextFrameLength, dropFrames', async () => {
    const [a, b] = native.socketpairSeqpacket();
    const r = frameReader(b, 3);
    expect(r.poller.readFrame(Buffer.alloc(8))).toBe(-1);
    expect(r.poller.nextFrameLength()).toBe(0);
    for (let i = 1; i <= 5; i++) native.fdWrite(a, Buffer.alloc(10 * i, i));
    await r.until(() => r.poller.framesQueued === 3);
    await new Promise((res) => setTimeout(res, 30)); // deliberate: a window in which a full queue must NOT take more
    expect(r.poller.framesQueued).toBe(3); // bounded: frames 4 and 5 wait in the socket
    expect(native.fdIoctlInt(b, FIONREAD)).toBe(40 + 50); // a unix socket counts every queued byte
    expect(r.poller.nextFrameLength()).toBe(10);
    const small = Buffer.alloc(4);
    expect(r.poller.readFrame(small)).toBe(4); // truncated to the buffer, the rest of the frame is gone
    expect(small.equals(Buffer.alloc(4, 1))).toBe(true);
    expect(r.poller.nextFrameLength()).toBe(20);
    await r.until(() => r.poller.framesQueued === 3); // resumed: frame 4 came in
    expect(r.poller.dropFrames()).toBe(3);
    await r.until(() => r.poller.framesQueued === 1); // and frame 5
    const big = Buffer.alloc(100);
    expect(r.poller.readFrame(big)).toBe(50);
    expect(big.subarray(0, 50).equals(Buffer.alloc(50, 5))).toBe(true);
    expect(() => r.poller.readFrame('x' as unknown as Buffer)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    r.poller.close();
    native.fdClose(a);
  });

  test('datagram mode requires onFrames; stream mode has no frame queue', () => {
    const [a, b] = native.socketpairSeqpacket();
    expect(() => new native.FdPoller(a, { mode: 'datagram', onData: () => {}, onEnd: () => {} })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => new native.FdPoller(a, { mode: 'datagram', queueFrames: 0, onFrames: () => {}, onEnd: () => {} })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    const s = new native.FdPoller(a, { onData: () => {}, onEnd: () => {} });
    expect(() => s.readFrame(Buffer.alloc(4))).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(s.framesQueued).toBe(0);
    s.close();
    native.fdClose(a);
    native.fdClose(b);
  });
});

describe('FdWatch', () => {
  test('reports readiness once without consuming data, and re-arms', async () => {
    const [r, w] = native.fdPipe();
    const seen: number[] = [];
    let wake!: () => void;
    const watch = new native.FdWatch(r, (revents) => { seen.push(revents); wake(); });
    const ready = () => new Promise<void>((res) => (wake = res));
    expect(() => new native.FdPoller(r, { onData: () => {}, onEnd: () => {} })).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    let p = ready();
    watch.arm(POLLIN);
    expect(watch.armed).toBe(true);
    native.fdWrite(w, Buffer.from('xy'));
    await p;
    expect(seen).toEqual([POLLIN]);
    expect(watch.armed).toBe(false);
    expect(native.fdIoctlInt(r, FIONREAD)).toBe(2); // nothing consumed
    p = ready();
    watch.arm(POLLIN); // still readable: fires again
    await p;
    expect(seen.length).toBe(2);
    native.fdClose(w);
    watch.close();
    native.fdClose(r);
  });
});

describe('FdPoller in a worker thread', () => {
  test('reads on the worker loop and is cleaned up when the worker ends', async () => {
    const [r, w] = native.fdPipe();
    const addon = require.resolve(process.env.DEVFS_NATIVE_PATH || path.resolve(__dirname, '../build/Release/devfs_native.node'));
    const code = `
      const { parentPort, workerData } = require('worker_threads');
      const n = require(workerData.addon);
      const p = new n.FdPoller(workerData.fd, { onData: (c) => parentPort.postMessage(Buffer.concat(c).toString()),
        onEnd: () => {} });
      p.startReading();
      parentPort.postMessage('ready');`;
    const worker = new Worker(code, { eval: true, workerData: { fd: r, addon } });
    const msgs: string[] = [];
    await new Promise<void>((res) => worker.on('message', (m: string) => { msgs.push(m); if (m === 'ready') res(); }));
    native.fdWrite(w, Buffer.from('from main'));
    await until(() => msgs.length >= 2, 'the worker to get the bytes', 5000, 5);
    expect(msgs[1]).toBe('from main');
    await worker.terminate(); // the cleanup hook closes the poller (not the fd: ownsFd false)
    expect(native.fdIoctlInt(r, FIONREAD)).toBe(0);
    native.fdClose(r);
    native.fdClose(w);
  });
});
