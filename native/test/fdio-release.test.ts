/**
 * What a closed FdPoller / FdWatch and a reaping ProcessWatcher let go of: their JS callbacks (and
 * so whatever those close over) become collectable, and a closed poller never touches its old fd
 * number again — the host may have given that number to another file.
 */
import * as v8 from 'v8';
import * as vm from 'vm';
import { native } from '@devfs/native';
import type { FdPoller, FdWatch } from '@devfs/native';
import { victimsOn } from '../../test-support/fd-reuse';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Deliberate: a later job, in which finalizers get their turn (forgotten() below checks the outcome). */
const tick = () => new Promise((r) => setTimeout(r, 5));

/**
 * Forces GC until none of `refs` is reachable (or gives up); returns how many still are. A
 * deref() keeps its target alive to the end of the current job, so each GC runs in a later job
 * than the count before it.
 */
async function aliveAfterGc(refs: WeakRef<object>[]): Promise<number> {
  const alive = () => refs.filter((r) => r.deref() !== undefined).length;
  for (let i = 0; i < 30; i++) {
    await tick();
    gc();
    await tick();
    if (alive() === 0) return 0;
  }
  return alive();
}

/**
 * Stands for whoever owns a native handle (a Pty, a driver unit): it holds the handle, and the
 * handle's callbacks close over it — the cycle through a native root that leaked every Pty.
 */
class Owner {
  readonly payload = Buffer.alloc(1024);
  handle: object | undefined;
}

// Each object is made in a helper of its own: a suspended async test function would otherwise keep
// its last loop iteration's locals (and so one object) alive.

/** A poller (mode `mode`) on a fresh pipe whose every callback closes over an Owner; started and closed. */
function closedPoller(mode: 'stream' | 'datagram', fds: number[]): WeakRef<object>[] {
  const [r, w] = native.fdPipe();
  fds.push(r, w);
  const owner = new Owner();
  const poller = new native.FdPoller(r, {
    mode,
    onData: () => owner.payload,
    onFrames: () => owner.payload,
    onEnd: () => owner.payload,
    onError: () => owner.payload,
    onWritable: () => owner.payload,
  });
  owner.handle = poller;
  poller.startReading();
  poller.close();
  return [new WeakRef(poller), new WeakRef(owner)];
}

/** A poller that reads a pipe to its end and closes itself in onEnd (which `ended` awaits). */
function pollerClosedAtEnd(ended: Promise<unknown>[]): WeakRef<object>[] {
  const [r, w] = native.fdPipe();
  const owner = new Owner();
  let done!: () => void;
  ended.push(new Promise<void>((resolve) => { done = resolve; }));
  const poller: FdPoller = new native.FdPoller(r, {
    ownsFd: true,
    onData: () => owner.payload,
    onEnd: () => { poller.close(); done(); },
  });
  owner.handle = poller;
  poller.startReading();
  native.fdWrite(w, Buffer.from('bytes'));
  native.fdClose(w);
  return [new WeakRef(poller), new WeakRef(owner)];
}

/** A watch that fires once and closes itself from onReady (which `fired` awaits). */
function watchClosedWhenReady(fds: number[], fired: Promise<unknown>[]): WeakRef<object>[] {
  const [r, w] = native.fdPipe();
  fds.push(r, w);
  const owner = new Owner();
  let done!: () => void;
  fired.push(new Promise<void>((resolve) => { done = resolve; }));
  const watch: FdWatch = new native.FdWatch(r, () => { void owner.payload; watch.close(); done(); });
  owner.handle = watch;
  watch.arm(0x1);
  native.fdWrite(w, Buffer.from('x'));
  return [new WeakRef(watch), new WeakRef(owner)];
}

/** A watch closed while armed. */
function watchClosedArmed(fds: number[]): WeakRef<object>[] {
  const [r, w] = native.fdPipe();
  fds.push(r, w);
  const owner = new Owner();
  const watch = new native.FdWatch(r, () => owner.payload);
  owner.handle = watch;
  watch.arm(0x1);
  watch.close();
  return [new WeakRef(watch), new WeakRef(owner)];
}

/** /bin/true on a fresh pty, watched; `exited` awaits the reaping (then the master is closed). */
function watchedChild(exited: Promise<unknown>[]): WeakRef<object>[] {
  const p = native.ptyOpen();
  const pid = native.ptySpawn({ file: '/bin/true', ptsPath: p.ptsPath, env: [] });
  const owner = new Owner();
  let done!: () => void;
  exited.push(new Promise<void>((resolve) => { done = resolve; }).then(() => native.fdClose(p.fd)));
  const watcher = new native.ProcessWatcher(pid, () => { void owner.payload; done(); });
  owner.handle = watcher;
  return [new WeakRef(watcher), new WeakRef(owner)];
}

/**
 * Makes 20 rounds of handles with `make` (which records the fds it opened and the events to wait
 * for), waits for those events, and expects every handle and owner to be collected.
 */
async function expectAllCollected(make: (pending: Promise<unknown>[], fds: number[]) => WeakRef<object>[]): Promise<void> {
  const pending: Promise<unknown>[] = [];
  const fds: number[] = [];
  const refs: WeakRef<object>[] = [];
  for (let i = 0; i < 20; i++) refs.push(...make(pending, fds));
  await Promise.all(pending);
  expect(await aliveAfterGc(refs)).toBe(0);
  for (const fd of fds) native.fdClose(fd);
}

describe('closed native handles are collectable with what their callbacks close over', () => {
  test('FdPoller (stream and datagram), closed while reading: poller and owner both go', async () => {
    await expectAllCollected((_pending, fds) => [...closedPoller('stream', fds), ...closedPoller('datagram', fds)]);
  });

  test('FdPoller that reached the end of its input and closed itself in onEnd: collectable', async () => {
    await expectAllCollected((pending) => pollerClosedAtEnd(pending));
  });

  test('FdWatch closed from its own onReady callback, and one closed while armed: collectable', async () => {
    await expectAllCollected((pending, fds) => [...watchClosedWhenReady(fds, pending), ...watchClosedArmed(fds)]);
  });

  test('ProcessWatcher after it reaped the child: watcher and owner collectable', async () => {
    await expectAllCollected((pending) => watchedChild(pending));
  });
});

describe('a closed FdPoller never uses its old fd number', () => {
  test('write, writeFrame, readFrame, startReading are EBADF and the file that got the number is untouched', () => {
    const [r, w] = native.fdPipe();
    const stream = new native.FdPoller(w, { onData: () => undefined, onEnd: () => undefined });
    const frames = new native.FdPoller(r, { mode: 'datagram', onFrames: () => undefined, onEnd: () => undefined });
    stream.close();
    frames.close();
    native.fdClose(w);
    native.fdClose(r);
    const victims = victimsOn([r, w], 'fdio');
    try {
      const ebadf = expect.objectContaining({ code: 'EBADF' });
      expect(() => stream.write(Buffer.from('STALE'))).toThrow(ebadf);
      expect(() => frames.writeFrame(Buffer.from('STALE'))).toThrow(ebadf);
      expect(() => frames.readFrame(Buffer.alloc(16))).toThrow(ebadf);
      expect(() => stream.startReading()).toThrow(ebadf);
      expect([stream.fd, frames.fd]).toEqual([-1, -1]);
      victims.check();
    } finally {
      victims.remove();
    }
  });
});
