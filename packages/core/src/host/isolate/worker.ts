/**
 * The entry of an isolated plugin's worker_thread. It runs the plugin unchanged against a kernel
 * of its own whose inodes carry the worker's foreign tag in the process-global table; every
 * device it makes is announced (`made`) so the daemon's kernel adopts the same inode, and every
 * driver call the daemon forwards is run here on a private mount and answered by id. A heartbeat
 * counter in shared memory lets the daemon see a busy loop it could never get a message through.
 */
import { parentPort, workerData } from 'worker_threads';
import { native } from '@devfs/native';
import { Kernel } from '../../devfs';
import { PluginHost } from '../host';
import { SI_CLONED } from '../../kernel/cdev';
import type { Cdev } from '../../kernel/cdev';
import { openCdev } from '../../mount/open';
import { devfsError, reasonOf, toDevfsError } from '../../errors';
import { FIONBIO, O_NONBLOCK } from '../../constants';
import type { DevFile } from '../../file/devfile';
import type { FromWorker, MadeMsg, Request, RequestMsg, WorkerInit } from './protocol';
import { ioChannel, IoRequest, OP_READ, putAnswer, spinFor, SpinPolicy, takeRequest } from './fastio';
import { pushSysctls } from './sysctl-mirror';
import { forwardMissHooks } from './remote-miss';

const init = workerData as WorkerInit;
const port = parentPort!;
const beat = new Int32Array(init.heartbeat);
Atomics.add(beat, 0, 1); // core is loaded: from now on a silence longer than callTimeoutMs is a hang
setInterval(() => Atomics.add(beat, 0, 1), init.beatMs);

const io = ioChannel(init.io);
/** Messages posted to the daemon and daemon messages handled: the barrier counts of fastio.ts. */
let sent = 0;
let handled = 0;
const post = (m: FromWorker, transfer?: ArrayBuffer[]): void => {
  port.postMessage(m, transfer);
  sent = (sent + 1) | 0;
};
const kernel = new Kernel();
kernel.inodeTag = init.tag;
const mnt = kernel.mount({ name: 'isolate' });
const files = new Map<number, DevFile>();
/** Each handle's shared memory, as the daemon sent it, and as one Buffer over all of it. */
const shms = new Map<number, Buffer>();
let nextHandle = 0;
/** The request takeRequests decodes into (reused). */
const ringReq: IoRequest = { id: 0, op: 0, h: 0, len: 0, pos: null };

announce(kernel);
/** The plugin's sysctl nodes (pushed as snapshots) and miss hooks (run for the daemon's `miss`). */
const sysctls = pushSysctls(kernel.sysctl, post);
const missHooks = forwardMissHooks(kernel, post);
port.on('message', (m: RequestMsg) => {
  // requests the daemon put in the ring before posting this come first; those after it, after
  takeRequests();
  void answer(m);
  handled = (handled + 1) | 0;
  takeRequests();
});
const pumpRequests = (): void => {
  takeRequests();
  io.req.sleep(pumpRequests);
};
pumpRequests();
const host = new PluginHost({ drivers: [], kernel, options: init.options, paths: init.paths, onError: () => undefined });
host.load(init.file).then(
  (p) => ready(p.drivers.map((d) => d.name)),
  () => ready([]),
);

/** Says which drivers attached and what failed (the daemon's load resolves or fails on it). */
function ready(drivers: string[]): void {
  const failures = host.failures.map((f) => ({ driver: f.driver, code: (f.error as { code?: string }).code ?? 'EIO', message: reasonOf(f.error) }));
  sysctls.sample();
  post({ ev: 'ready', drivers, failures });
}

/**
 * Wraps the registry's entries a driver changes the namespace through, so each change is
 * announced in order with the replies (a device made inside d_open is adopted before the open's
 * answer arrives). The plugin sees the same methods with the same results.
 */
function announce(k: Kernel): void {
  const makeDevS = k.make_dev_s.bind(k);
  const makeAlias = k.make_dev_alias.bind(k);
  const depends = k.dev_depends.bind(k);
  const destroy = k.destroy_dev.bind(k);
  const onClone = k.onClone.bind(k);
  const emit = k.emit.bind(k);
  let aliasOf: Cdev | undefined;
  k.make_dev_s = ((a, fmt, ...args) => {
    const dev = makeDevS(a, fmt, ...args);
    post(made(dev, aliasOf));
    return dev;
  }) as Kernel['make_dev_s'];
  k.make_dev_alias = (dev, fmt, ...args) => {
    aliasOf = dev;
    try {
      return makeAlias(dev, fmt, ...args);
    } finally {
      aliasOf = undefined;
    }
  };
  k.dev_depends = (parent, child) => {
    depends(parent, child);
    post({ ev: 'depends', parent: [parent.inode, parent.gen], child: [child.inode, child.gen] });
  };
  k.destroy_dev = (dev) => {
    const done = destroy(dev);
    post({ ev: 'gone' });
    return done;
  };
  k.onClone = (handler, opts = {}) => {
    const remove = onClone(handler, opts);
    post({ ev: 'cloner', prefix: typeof opts.prefix === 'string' ? opts.prefix : '' });
    return remove;
  };
  k.emit = (e) => {
    const seq = emit(e); // validates: a bad event throws to the plugin, as in process
    if (e.type !== 'REGISTER' && e.type !== 'UNREGISTER') {
      const { type, name, mount, ino, uid, gid, mode, data } = e;
      try {
        post({ ev: 'event', e: { type, name, mount, ino, uid, gid, mode, data } });
      } catch (err) {
        throw devfsError('EINVAL', 'events.emit', name, `an isolated plugin's event must be cloneable to the daemon: ${(err as Error).message}`);
      }
    }
    return seq;
  };
}

function made(dev: Cdev, aliasOf: Cdev | undefined): MadeMsg {
  const m: MadeMsg = {
    ev: 'made', ino: dev.inode, gen: dev.gen, name: dev.si_name, unit: dev.unit, uid: dev.uid, gid: dev.gid, mode: dev.mode,
    dname: dev.si_devsw.d_name, dflags: dev.si_devsw.d_flags ?? 0, cloned: (dev.flags & SI_CLONED) !== 0,
  };
  const cred = dev.si_cred;
  if (cred) m.cred = { uid: cred.uid, gid: cred.gid, groups: [...(cred.groups ?? [])] };
  if (aliasOf) m.aliasOf = [aliasOf.inode, aliasOf.gen];
  return m;
}

/** Runs one request and posts its answer; what the driver throws becomes that call's error only. */
async function answer(m: RequestMsg): Promise<void> {
  try {
    const r = await run(m);
    sysctls.sample(); // a value the call changed is in the daemon before its answer
    post({ id: m.id, ok: true, v: r.v, data: r.data }, r.data ? [r.data] : undefined);
  } catch (err) {
    sysctls.sample();
    const e = toDevfsError(err, m.op);
    post({ id: m.id, ok: false, code: e.code, message: reasonOf(e) });
  }
}

function fileOf(h: number, op: string): DevFile {
  const f = files.get(h);
  if (!f) throw devfsError('EBADF', op, undefined, 'no such handle');
  return f;
}

/** The first `len` bytes of handle `h`'s shared memory (`shm` is the region's key when the daemon sends a new one). */
function shmOf(h: number, shm: number | true, len: number): Buffer {
  if (shm !== true) shms.set(h, Buffer.from(native.shmMap(shm)));
  const mem = shms.get(h);
  if (!mem || mem.length < len) throw devfsError('EINVAL', 'io', undefined, 'no shared memory for this handle');
  return len === mem.length ? mem : mem.subarray(0, len);
}

/** Requests of the ring started so far, and those not answered yet. */
let taken = 0;
let inflight = 0;
const spin = new SpinPolicy();
let spinQueued = false;

/** Starts every request of the data path's ring that may run now (see fastio.ts's barrier). */
function takeRequests(): void {
  while (takeRequest(io, handled, ringReq)) {
    taken++;
    void ringIo(ringReq.id, ringReq.op, ringReq.h, ringReq.len, ringReq.pos);
  }
}

/** One read/write from the ring, in the handle's shared memory; the count goes back through the ring. */
async function ringIo(id: number, op: number, h: number, len: number, pos: number | null): Promise<void> {
  const name = op === OP_READ ? 'read' : 'write';
  inflight++;
  try {
    const f = fileOf(h, name);
    const buf = shmOf(h, true, len);
    const n = op === OP_READ ? await f.read(buf, pos) : await f.write(buf, pos);
    if (!putAnswer(io, id, n, sent)) post({ id, ok: true, v: n });
  } catch (err) {
    const e = toDevfsError(err, name);
    post({ id, ok: false, code: e.code, message: reasonOf(e) });
  } finally {
    inflight--;
  }
  // the daemon's next request usually follows the answer within microseconds: wait for it awake —
  // right away while the event loop turned less than YIELD_MS ago, else from its check phase
  // (timers, the heartbeat among them, run in between)
  if (inflight === 0 && !spinQueued && spin.wanted()) {
    if (performance.now() - loopAt < YIELD_MS) spinServe();
    else {
      spinQueued = true;
      setImmediate(spinFromLoop);
    }
  }
}

/** How long the data path may keep the worker's event loop from turning (ms). */
const YIELD_MS = 1;
/** When the event loop last ran spinFromLoop. */
let loopAt = 0;

function spinFromLoop(): void {
  spinQueued = false;
  loopAt = performance.now();
  spinServe();
}

function spinServe(): void {
  if (inflight > 0) return;
  const before = taken;
  spin.result(spinFor(io.req, takeRequests, () => taken !== before));
}

const asBuffer = (v: unknown): unknown => (v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v);

async function run(m: Request): Promise<{ v?: unknown; data?: ArrayBuffer }> {
  switch (m.op) {
    case 'open': {
      const dev = kernel.byIno[m.ino];
      if (!dev || dev.gen !== m.gen || dev.dying) throw devfsError('ENXIO', 'open', undefined, 'device was destroyed');
      // the daemon blocks its callers (it polls); here every call answers at once
      const f = await openCdev(mnt, dev, m.flags | O_NONBLOCK, m.cred, dev.si_name);
      const h = ++nextHandle;
      files.set(h, f);
      return { v: { h, cloned: f.dev === undefined, stat: f.dev === undefined ? f.ops?.fo_stat?.(f) : undefined } };
    }
    case 'read': {
      const f = fileOf(m.h, 'read');
      if (m.shm) return { v: await f.read(shmOf(m.h, m.shm, m.len), m.pos) };
      const buf = Buffer.allocUnsafeSlow(m.len);
      const n = await f.read(buf, m.pos);
      return { v: n, data: n > 0 ? (buf.buffer as ArrayBuffer) : undefined };
    }
    case 'write': {
      const bytes = m.shm ? shmOf(m.h, m.shm, m.len ?? 0) : Buffer.from(m.data ?? new ArrayBuffer(0));
      return { v: await fileOf(m.h, 'write').write(bytes, m.pos) };
    }
    case 'ioctl': {
      const f = fileOf(m.h, 'ioctl');
      const v = await f.ioctl(m.cmd, asBuffer(m.arg));
      if (m.cmd === FIONBIO) (f as unknown as { nonblock: boolean }).nonblock = true; // still never blocks here
      return { v };
    }
    case 'poll':
      return { v: await fileOf(m.h, 'poll').poll(m.events) };
    case 'close': {
      const f = fileOf(m.h, 'close');
      files.delete(m.h);
      shms.delete(m.h);
      await f.close();
      return {};
    }
    case 'clone':
      return { v: kernel.runCloners(m.name, m.cred) !== undefined };
    case 'miss':
      return { v: await missHooks.run(m.name) };
    case 'sysctl':
      sysctls.write(m.name, m.value);
      return {};
    case 'reject': {
      const dev = kernel.byIno[m.ino];
      if (dev && dev.gen === m.gen) await kernel.destroy_dev(dev).catch(() => undefined);
      return {};
    }
    case 'stop':
      await host.close();
      return {};
  }
}
