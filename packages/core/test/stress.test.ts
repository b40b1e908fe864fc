import * as fs from 'fs';
import * as path from 'path';
import * as v8 from 'v8';
import * as vm from 'vm';
import { Worker } from 'worker_threads';
import { createKernel, devfsError, selrecord, SelInfo, ROOT, Kernel, Cdev, Cdevsw, Cred, Mount, DevFile } from '@devfs/core';
import { native, candidatePaths } from '@devfs/native';

/**
 * Stress test in the spirit of FreeBSD's stress2 devfs scenarios (issue 14), bounded to about
 * 40 s: for CHURN_MS, at the same time —
 *  - mounts come and go (plain, hide-all, jail) while walkers readdir/lstat/stat/readlink them
 *    recursively;
 *  - the main thread makes and destroys devices, aliases and dependencies;
 *  - openers open devices whose d_open, d_read and d_close are slow (async), read them, and
 *    block in reads that only destroy_dev can end, racing the destroyer;
 *  - two worker_threads churn make_dev/destroy_dev in kernels of their own over the one
 *    process-global inode table (their change-log records wrap the ring the main mounts read);
 *  - a third worker is a foreign registrar (like the tap netlink thread) whose named inodes the
 *    main kernel adopts and must drop again.
 * Asserted: every operation settles within SETTLE_MS (nothing hangs); every failure is one the
 * semantics allow for that call; afterwards no handle is open in the kernel, every destroy_dev
 * resolved, no device is left, the inode table, /proc/self/fd and the heap (after a forced GC)
 * are back to their baseline within a margin.
 */
const CHURN_MS = Number(process.env.STRESS_MS ?? 20_000);
const SETTLE_MS = 5_000;
const FOREIGN_TAG = 0x5e5;
const ADDON = candidatePaths().find((p) => fs.existsSync(p)) as string;
/** An unprivileged walker (directories are 0555: it may search and list everything root may). */
const USER: Cred = { uid: 1001, gid: 1001, groups: [1001] };

/** Codes each kind of call may fail with while everything else churns. */
const ALLOWED: Record<string, Set<string>> = {
  walk: new Set(['ENOENT', 'ENXIO']),
  open: new Set(['ENOENT', 'ENXIO']),
  read: new Set(['ENXIO', 'EBADF']), // EBADF: the handle was closed while the read waited
  close: new Set<string>(),
  make_dev: new Set(['EEXIST']),
  make_dev_alias: new Set(['EEXIST', 'ENXIO']),
  dev_depends: new Set(['ENXIO', 'EINVAL']),
  destroy_dev: new Set<string>(),
};

/** Deliberate: random latency in the stress drivers and pacing of the churn loops (nothing to wait for). */
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const tick = () => new Promise<void>((r) => setImmediate(r));
const rnd = (n: number) => Math.floor(Math.random() * n);

/** gc() without --expose-gc: the flag is set at run time and the function taken from a new context. */
function forceGc(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

function fdCount(): number {
  return fs.readdirSync('/proc/self/fd').length;
}

/** Per-device driver state: pending slow reads (ended by d_purge) and the selinfo blocked readers record on. */
interface Softc { pending: Set<() => void>; sel: SelInfo }

/** A driver whose open, read and close take a while; `block` reads never return data (only destroy ends them). */
function slowsw(name: string, block: boolean): Cdevsw {
  return {
    d_name: name,
    async d_open() { await sleep(rnd(3)); },
    async d_close() { await sleep(rnd(2)); },
    d_read(dev: Cdev, buf: Buffer) {
      const sc = dev.si_drv1 as Softc;
      if (block) throw devfsError('EAGAIN', 'read', dev.si_name);
      return new Promise<number>((resolve, reject) => {
        const purge = () => { clearTimeout(t); reject(devfsError('ENXIO', 'read', dev.si_name)); };
        const t = setTimeout(() => { sc.pending.delete(purge); resolve(buf.write('ok')); }, rnd(6));
        sc.pending.add(purge);
      });
    },
    d_poll(dev: Cdev, _events: number, file: DevFile) {
      selrecord(file, (dev.si_drv1 as Softc).sel);
      return 0;
    },
    d_purge(dev: Cdev) {
      const sc = dev.si_drv1 as Softc;
      for (const p of [...sc.pending]) p();
      sc.pending.clear();
    },
  };
}

/** What went wrong during a run. */
class Problems {
  readonly hangs: string[] = [];
  readonly unexpected: string[] = [];
  readonly counts: Record<string, number> = {};

  /** Runs `what`; a failure must be an allowed code of `kind`; it must settle within SETTLE_MS. */
  async call<T>(kind: string, what: string, fn: () => T | Promise<T>): Promise<T | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'hang'>((r) => { timer = setTimeout(() => r('hang'), SETTLE_MS); });
    try {
      const r = await Promise.race([Promise.resolve().then(fn), timeout]);
      if (r === 'hang') {
        this.hangs.push(`${kind} ${what}`);
        return undefined;
      }
      this.counts[kind] = (this.counts[kind] ?? 0) + 1;
      return r as T;
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'uncoded';
      this.counts[`${kind}:${code}`] = (this.counts[`${kind}:${code}`] ?? 0) + 1;
      if (!ALLOWED[kind].has(code) && this.unexpected.length < 20) this.unexpected.push(`${kind} ${what}: ${code} ${(err as Error).message}`);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The main thread's side of one run: a kernel, its devices, mounts and the concurrent loops. */
class Churn {
  readonly kernel: Kernel = createKernel({ memDevices: false });
  readonly p = new Problems();
  readonly live: Cdev[] = [];
  readonly mounts: Mount[] = [];
  readonly destroys: Promise<void>[] = [];
  readonly handles = new Set<DevFile>();
  private readonly sws = [slowsw('slow', false), slowsw('block', true)];
  private serial = 0;
  private stopForeign: () => void;

  constructor(private readonly end: number) {
    const foreignsw: Cdevsw = { d_name: 'foreign' };
    this.stopForeign = this.kernel.onForeign(FOREIGN_TAG, (ino, gen, name) => {
      this.kernel.make_dev_s({ devsw: foreignsw, adoptInode: { ino, gen }, mode: 0o644 }, name);
    });
  }

  private get running(): boolean {
    return Date.now() < this.end;
  }

  /** Makes and destroys devices (in directories, with aliases and dependencies). */
  async devices(): Promise<void> {
    const k = this.kernel;
    while (this.running) {
      const n = this.serial++;
      const sw = this.sws[n % 2];
      const name = n % 3 === 0 ? `c${n % 40}` : `d${n % 5}/n${n % 40}`;
      const d = await this.p.call('make_dev', name, () => k.make_dev_s({ devsw: sw, mode: 0o666, drv1: { pending: new Set(), sel: new SelInfo() } }, name));
      if (d) {
        this.live.push(d);
        if (n % 4 === 0) {
          const a = await this.p.call('make_dev_alias', name, () => k.make_dev_alias(d, `al/${n % 40}`));
          if (a) this.live.push(a);
        }
        if (n % 9 === 0 && this.live.length > 2) {
          const other = this.live[rnd(this.live.length)];
          await this.p.call('dev_depends', name, () => k.dev_depends(other, d));
        }
      }
      if (this.live.length > 60 || (this.live.length > 0 && rnd(3) === 0)) this.destroyOne();
      if (n % 4 === 0) await tick();
    }
  }

  private destroyOne(): void {
    const d = this.live.splice(rnd(this.live.length), 1)[0];
    this.destroys.push(this.p.call('destroy_dev', d.si_name, () => this.kernel.destroy_dev(d)) as Promise<void>);
  }

  /** Mount churn: mounts with different rulesets come and go. */
  async mountChurn(): Promise<void> {
    let n = 0;
    while (this.running) {
      const kind = n++ % 3;
      const m = this.kernel.mount(kind === 0 ? {} : kind === 1 ? { ruleset: 'devfsrules_hide_all' } : { ruleset: 'devfsrules_jail', jail: true });
      if (kind === 1) m.applyRule("path 'd*' unhide");
      this.mounts.push(m);
      await sleep(20 + rnd(80));
      if (this.mounts.length > 4) this.mounts.splice(rnd(this.mounts.length), 1)[0].unmount();
    }
  }

  /** Walks a random mount recursively as root or a user: readdir, lstat, stat through links, readlink. */
  async walker(): Promise<void> {
    while (this.running) {
      const m = this.mounts[rnd(this.mounts.length)];
      if (!m) { await tick(); continue; }
      const cred = rnd(2) === 0 ? ROOT : USER;
      const walk = async (dir: string): Promise<void> => {
        const ents = await this.p.call('walk', `readdir ${dir}`, () => m.readdir(dir, cred));
        for (const e of ents ?? []) {
          const p = dir === '' ? e.name : `${dir}/${e.name}`;
          await this.p.call('walk', `lstat ${p}`, () => m.lstat(p, cred));
          if (e.type === 'symlink') {
            await this.p.call('walk', `readlink ${p}`, () => m.readlink(p, cred));
            await this.p.call('walk', `stat ${p}`, () => m.stat(p, cred));
          }
          if (e.type === 'dir') await walk(p);
          if (rnd(8) === 0) await tick();
        }
      };
      await walk('');
      await tick();
    }
  }

  /** Opens a random device through a random mount, reads (a blocking read too) and closes, racing destroy_dev. */
  async opener(): Promise<void> {
    while (this.running) {
      const m = this.mounts[rnd(this.mounts.length)];
      const d = this.live[rnd(this.live.length)];
      if (!m || !d) { await tick(); continue; }
      const f = await this.p.call('open', d.si_name, () => m.open(d.si_name, 'r'));
      if (!f) { await tick(); continue; } // a miss settles in microtasks: let the other loops run
      this.handles.add(f);
      const reads = [0, 1, 2].map(() => this.p.call('read', d.si_name, () => f.read(Buffer.alloc(8))));
      if (rnd(4) === 0 && this.live.includes(d)) {
        this.live.splice(this.live.indexOf(d), 1);
        this.destroys.push(this.p.call('destroy_dev', d.si_name, () => this.kernel.destroy_dev(d)) as Promise<void>);
      }
      // a blocking device's reads end only by destroy: leave them to the destroyer at the end
      if (d.si_devsw.d_name !== 'block') await Promise.all(reads);
      await this.p.call('close', d.si_name, () => f.close());
      this.handles.delete(f);
      await Promise.all(reads);
    }
  }

  /** Stops: destroys every device left, drops the foreign adopter, unmounts, closes the event stream. */
  async finish(): Promise<void> {
    while (this.live.length) this.destroyOne();
    await Promise.all(this.destroys);
    this.stopForeign();
    for (const m of this.mounts) m.unmount();
    await this.kernel.events.close();
  }
}

/** Starts the workers; `stop()` sets the flag and resolves with their reports. */
function startWorkers(): { stop(): Promise<{ kernels: { pairs: number; lookups: number; unexpected: string[]; left: number; fatal?: string }[]; foreign: number }> } {
  const stopBuf = new SharedArrayBuffer(4);
  const flag = new Int32Array(stopBuf);
  const report = <T>(w: Worker): Promise<T> => new Promise((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
    w.once('exit', (code) => reject(new Error(`worker exited with ${code} before reporting`)));
  });
  const fixture = (f: string) => path.join(__dirname, 'fixtures', f);
  const kernels = [1, 2].map((id) => new Worker(fixture('stress-kernel-worker.js'), { workerData: { id, stop: stopBuf } }));
  const foreign = new Worker(fixture('stress-foreign-worker.js'), { workerData: { addonPath: ADDON, tag: FOREIGN_TAG, stop: stopBuf } });
  const reports = Promise.all([Promise.all(kernels.map((w) => report<{ pairs: number; lookups: number; unexpected: string[]; left: number }>(w))),
    report<{ inserted: number }>(foreign)]);
  return {
    async stop() {
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
      try {
        const [k, f] = await reports;
        return { kernels: k, foreign: f.inserted };
      } finally {
        await Promise.all([...kernels, foreign].map((w) => w.terminate()));
      }
    },
  };
}

/** What a run leaves to check (the run's kernel itself is not kept, so the heap can be measured). */
interface RunResult {
  p: Problems;
  workers: Awaited<ReturnType<ReturnType<typeof startWorkers>['stop']>>;
  openHandles: number;
  /** Devices with opens or driver calls still counted once every loop ended and closed its handles. */
  busy: string[];
  devicesLeft: string[];
}

/** One run: the loops for `ms`, workers included. */
async function run(ms: number): Promise<RunResult> {
  const workers = startWorkers();
  const churn = new Churn(Date.now() + ms);
  let reports: RunResult['workers'];
  let busy: string[] = ['(loops failed)'];
  try {
    await Promise.all([churn.devices(), churn.mountChurn(), churn.walker(), churn.walker(), churn.opener(), churn.opener(), churn.opener()]);
    busy = [...churn.kernel.devices()].filter((d) => d.usecount !== 0 || d.threadcount !== 0).map((d) => d.si_name);
  } finally {
    // the registrar stops (clearing its inodes) while the kernel still adopts and releases them
    reports = await workers.stop();
    churn.kernel.lookupDev('sync');
    await churn.finish();
  }
  return { p: churn.p, workers: reports, openHandles: churn.handles.size, busy, devicesLeft: [...churn.kernel.devices()].map((d) => d.si_name) };
}

describe('stress: mounts, walkers, opens and destroys, from the main thread and workers', () => {
  test(`${CHURN_MS} ms of churn: nothing hangs, only allowed errors, nothing leaks`, async () => {
    const gc = forceGc();
    const measure = () => { gc(); gc(); return process.memoryUsage().heapUsed; };
    // warm-up run: loads workers, JIT, lazy module state, so the baseline includes them
    await run(1_000);
    const fd0 = fdCount();
    const heap0 = measure();
    const inodes0 = native.inodeLiveCount();

    const { p, workers, openHandles, busy, devicesLeft } = await run(CHURN_MS);
    if (process.env.STRESS_STATS) console.log(JSON.stringify({ counts: p.counts, workers }));
    expect(p.hangs).toEqual([]);
    expect(p.unexpected).toEqual([]);
    // the loops really raced: opens, reads and walks succeeded and also lost races
    expect(p.counts.open).toBeGreaterThan(100);
    expect(p.counts.read).toBeGreaterThan(100);
    expect(p.counts['read:ENXIO']).toBeGreaterThan(10);
    expect(p.counts.walk).toBeGreaterThan(1000);
    expect(p.counts.destroy_dev).toBeGreaterThan(100);
    for (const w of workers.kernels) {
      expect(w.fatal).toBeUndefined();
      expect(w.unexpected).toEqual([]);
      expect(w.pairs).toBeGreaterThan(100);
      expect(w.left).toBe(0);
    }
    expect(workers.foreign).toBeGreaterThan(100);

    // nothing open, nothing left: every handle closed, every destroy resolved (awaited in finish),
    // every adopted foreign device dropped once its registrar cleared it
    expect(openHandles).toBe(0);
    expect(busy).toEqual([]);
    expect(devicesLeft).toEqual([]);
    expect(native.inodeLiveCount()).toBe(inodes0);
    // fd and heap back to the baseline (the run's kernel is garbage now)
    expect(fdCount()).toBeLessThanOrEqual(fd0 + 2);
    const grown = measure() - heap0;
    if (process.env.STRESS_STATS) console.log(`heap growth ${grown} bytes`);
    expect(grown).toBeLessThan(4 * 1024 * 1024);
  }, CHURN_MS + 60_000);
});
