import { devfsError, GID_TTY, GID_WHEEL, UID_ROOT } from '@devfs/core';
import type { Cdev, Cdevsw, Cred, DevfsDriver, Kernel, UnitAllocator } from '@devfs/core';
import { native } from '@devfs/native';
import { openHostPty } from '../host-pty';
import { PTMX_MODE, PTS_MODE } from '../constants';
import type { HostedPty, PtySpawnOptions } from '../spawn/options';
import { spawn } from '../spawn/spawn';
import type { IPty } from '../spawn/pty';
import { ptmxDevsw } from './ptmx';
import { ptsDevsw } from './slave';
import { PtyUnit, UnitOwner } from './unit';

/** Options of the pty driver (`options.pty` in a host). */
export interface PtyDriverOptions {
  /** Most ptys open at once through this driver (the next open is EAGAIN). Default: the host's limit. */
  maxPtys?: number;
  /** Group of pts/N nodes (default GID_TTY = 5). */
  ptsGid?: number;
  /** Mode of pts/N nodes (default 0620). */
  ptsMode?: number;
}

/**
 * The pty driver: `ptmx` (a cloner: each open is a new real host pty whose handle is the master)
 * and `pts/N` (N the lowest free number of ours, owned by the opener of ptmx, group tty, mode
 * 0620, opening the real slave), destroyed after the last close of master and slaves.
 */
export class PtyDriver implements DevfsDriver, UnitOwner {
  readonly name = 'pty';
  private ptmx: Cdev | undefined;
  private readonly units = new Map<number, PtyUnit>();
  private readonly unitNumbers: UnitAllocator;
  private readonly destroying = new Set<Promise<void>>();
  private readonly ptmxsw: Cdevsw;
  private readonly ptssw: Cdevsw<PtyUnit>;
  // A handle dropped without close() must not keep a host pty: its finalizer releases it.
  private readonly leaks = new FinalizationRegistry<() => void>((release) => release());

  constructor(readonly kernel: Kernel, private readonly options: PtyDriverOptions = {}) {
    const max = options.maxPtys;
    if (max !== undefined && (!Number.isInteger(max) || max < 1)) throw devfsError('EINVAL', 'pty', 'maxPtys', 'maxPtys must be a positive integer');
    this.unitNumbers = kernel.unitAllocator(max === undefined ? undefined : max - 1);
    this.ptssw = ptsDevsw(kernel, (file, h) => this.leaks.register(file, h.close));
    this.ptmxsw = ptmxDevsw(kernel, (cred) => this.allocate(cred), (file, unit) => this.leaks.register(file, () => unit.releaseMaster()));
  }

  /** Creates the `ptmx` node. */
  attach(): void {
    if (this.ptmx) return;
    this.ptmx = this.kernel.make_dev(this.ptmxsw, 0, UID_ROOT, GID_WHEEL, PTMX_MODE, 'ptmx');
  }

  /** Closes every pty of this driver, removes its nodes, and waits for in-flight calls to finish. */
  async detach(): Promise<void> {
    for (const u of [...this.units.values()]) u.closeAll();
    if (this.ptmx) {
      const p = this.ptmx;
      this.ptmx = undefined;
      this.destroying.add(this.kernel.destroy_dev(p));
    }
    await Promise.all([...this.destroying]);
  }

  /** Number of ptys currently open through this driver. */
  get openCount(): number {
    return this.units.size;
  }

  /** Allocates a real host pty and its `pts/N` node owned by `cred` (EAGAIN when none is free). */
  allocate(cred: Cred): PtyUnit {
    const n = this.unitNumbers.alloc();
    let pair;
    try {
      pair = openHostPty();
    } catch (err) {
      this.unitNumbers.free(n);
      throw err;
    }
    const unit = new PtyUnit(this, n, pair);
    try {
      unit.cdev = this.kernel.make_dev_s({
        devsw: this.ptssw, unit: n, uid: cred.uid, gid: this.options.ptsGid ?? GID_TTY,
        mode: this.options.ptsMode ?? PTS_MODE, drv1: unit, cred,
      }, 'pts/%d', n);
    } catch (err) {
      native.fdClose(pair.fd);
      this.unitNumbers.free(n);
      throw err;
    }
    this.units.set(n, unit);
    return unit;
  }

  /**
   * A pty for `spawn({ driver })`: its pts/N shows in the mounts while the process runs.
   * `onRevoke` runs (synchronously) before `detach()` closes the master under its holder, which
   * must then stop using the fd number.
   */
  allocatePty(cred: Cred, onRevoke?: () => void): HostedPty {
    const unit = this.allocate(cred);
    unit.setRevoke(onRevoke);
    return { fd: unit.masterFd, hostPath: unit.pair.ptsPath, name: unit.name, release: () => unit.releaseMaster() };
  }

  /** `spawn` on a pty of this driver (its pts/N shows in every mount that does not hide it). */
  spawn(file: string, args: string[], options: PtySpawnOptions & { encoding: null }): IPty<Buffer>;
  spawn(file: string, args?: string[], options?: PtySpawnOptions): IPty<string>;
  spawn(file: string, args: string[] = [], options: PtySpawnOptions = {}): IPty<string> | IPty<Buffer> {
    return spawn(file, args, { ...options, driver: this } as PtySpawnOptions);
  }

  /** @internal a unit's master and slaves are all closed: remove its node, free its number. */
  unitGone(unit: PtyUnit): void {
    if (this.units.get(unit.n) !== unit) return;
    this.units.delete(unit.n);
    const p = this.kernel.destroy_dev(unit.cdev).catch((err) => {
      process.emitWarning(`devfs pty: destroying ${unit.name} failed: ${(err as Error).message}`);
    });
    this.unitNumbers.free(unit.n); // the name is gone already: destroy_dev unregisters at once
    this.destroying.add(p);
    void p.then(() => this.destroying.delete(p));
  }
}
