import { native } from '@devfs/native';
import type { PtyPair } from '@devfs/native';
import type { Cdev } from '@devfs/core';
import { FdReadiness } from './readiness';

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
  cdev!: Cdev;
  /** Readiness of the master for ptmx handles (created on first poll). */
  private masterReady: FdReadiness | undefined;
  private masterOpen = true;
  private readonly slaves = new Set<number>();
  private gone = false;

  constructor(private readonly owner: UnitOwner, readonly n: number, readonly pair: PtyPair) {}

  /** devfs name, 'pts/N'. */
  get name(): string {
    return `pts/${this.n}`;
  }

  /** The master fd (valid while `masterIsOpen`). */
  get masterFd(): number {
    return this.pair.fd;
  }

  /** True until the master is released: only then may the host slave path be opened. */
  get masterIsOpen(): boolean {
    return this.masterOpen;
  }

  /** Readiness of the master fd for devfs polls. */
  get readiness(): FdReadiness {
    return (this.masterReady ??= new FdReadiness(this.pair.fd));
  }

  /** Closes the host master (slaves see a hangup); idempotent. */
  releaseMaster(): void {
    if (!this.masterOpen) return;
    this.masterOpen = false;
    this.masterReady?.close();
    native.fdClose(this.pair.fd);
    this.maybeGone();
  }

  /** Records a slave fd opened through pts/N. */
  slaveOpened(fd: number): void {
    this.slaves.add(fd);
  }

  /** Closes a slave fd opened through pts/N; idempotent. */
  slaveClosed(fd: number): void {
    if (!this.slaves.delete(fd)) return;
    native.fdClose(fd);
    this.maybeGone();
  }

  /** Closes everything at once (driver detach). */
  closeAll(): void {
    for (const fd of [...this.slaves]) this.slaveClosed(fd);
    this.releaseMaster();
  }

  private maybeGone(): void {
    if (this.gone || this.masterOpen || this.slaves.size > 0) return;
    this.gone = true;
    this.owner.unitGone(this);
  }
}
