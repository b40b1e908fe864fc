import { native } from '@devfs/native';
import type { PtyPair } from '@devfs/native';
import type { Cdev } from '@devfs/core';
import { HostFd } from './host-fd';

/** What a unit needs from its driver when it goes away. */
export interface UnitOwner {
  unitGone(unit: PtyUnit): void;
}

/**
 * One real host pty exposed as `pts/N`: the master fd (held by the ptmx handle or by spawn), the
 * slave fds our pts/N handles opened, and the node. The host pty is closed with the master; the
 * node and the unit number go once master and every slave are closed.
 */
export class PtyUnit {
  /** The devfs pts node (set right after make_dev). */
  cdev!: Cdev<PtyUnit>;
  /** The host master: ENXIO for every handle once it is closed. */
  readonly master: HostFd;
  private readonly slaves = new Set<HostFd>();
  private gone = false;
  // Called before the master is closed under its holder (driver detach): spawn's Pty stops using it.
  private onRevoke: (() => void) | undefined;

  constructor(private readonly owner: UnitOwner, readonly n: number, readonly pair: PtyPair) {
    this.master = new HostFd(pair.fd);
  }

  /** devfs name, 'pts/N'. */
  get name(): string {
    return `pts/${this.n}`;
  }

  /** The master fd number (valid while `masterIsOpen`). */
  get masterFd(): number {
    return this.pair.fd;
  }

  /** True until the master is released: only then may the host slave path be opened. */
  get masterIsOpen(): boolean {
    return this.master.isOpen;
  }

  /** Sets what runs (once, synchronously) before the master is closed by `closeAll`. */
  setRevoke(onRevoke: (() => void) | undefined): void {
    this.onRevoke = onRevoke;
  }

  /** Closes the host master (slaves see a hangup); idempotent. */
  releaseMaster(): void {
    this.onRevoke = undefined;
    if (this.master.close()) this.maybeGone();
  }

  /** Opens the real host slave (O_NOCTTY, plus `flags`) for one pts/N handle. */
  openSlave(flags: number): HostFd {
    const slave = new HostFd(native.ptyOpenSlave(this.pair.ptsPath, flags));
    this.slaves.add(slave);
    return slave;
  }

  /** Closes a slave opened by `openSlave`; idempotent. */
  closeSlave(slave: HostFd): void {
    if (!this.slaves.delete(slave)) return;
    slave.close();
    this.maybeGone();
  }

  /** Closes everything at once (driver detach): every handle still open then gets ENXIO. */
  closeAll(): void {
    for (const s of [...this.slaves]) this.closeSlave(s);
    const revoke = this.onRevoke;
    this.onRevoke = undefined;
    revoke?.();
    this.releaseMaster();
  }

  private maybeGone(): void {
    if (this.gone || this.master.isOpen || this.slaves.size > 0) return;
    this.gone = true;
    this.owner.unitGone(this);
  }
}
