/**
 * The reincarnation server of one isolated plugin (MINIX 3's idea): it starts the plugin's
 * worker, and when the worker dies it says why (a NOTIFY event `DRIVER_FAILED`, `lastFailure`)
 * and, with `restart: 'always'`, starts it again after a backoff (doubled per consecutive
 * failure, reset once an incarnation ran for a minute) so its devices come back. To the plugin
 * host it is one driver, named after the plugin's own drivers.
 */
import type { Kernel } from '../../devfs';
import { devfsError, DevfsError, reasonOf } from '../../errors';
import type { DevfsDriver, IsolationInfo } from '../types';
import type { IsolationSettings } from './spec';
import { WorkerLink } from './link';
import { tuneMalloc } from '../malloc';

const STABLE_MS = 60_000;

/** An isolated plugin as the host runs it. */
export class IsolatedPlugin implements DevfsDriver {
  name: string;
  readonly isolation: IsolationInfo;
  private link: WorkerLink | undefined;
  private consecutive = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private stopping = false;

  constructor(private readonly kernel: Kernel, private readonly s: IsolationSettings, readonly plugin: string,
    private readonly file: string, private readonly options: Record<string, unknown>, private readonly paths: string[]) {
    this.name = plugin;
    this.isolation = { restart: s.restart, memoryMb: s.memoryMb, callTimeoutMs: s.callTimeoutMs, state: 'starting', restarts: 0 };
  }

  /** Starts the worker and waits for the plugin to load; fails (and stops it) when no driver attached. */
  async attach(): Promise<void> {
    const link = this.spawn();
    const r = await link.ready;
    if (r.drivers.length === 0) {
      await link.stop();
      const f = r.failures[0];
      throw devfsError(f?.code ?? 'EINVAL', 'plugin.load', this.plugin, f?.message ?? `plugin '${this.plugin}' attached no driver`);
    }
    this.name = r.drivers.join('+');
    this.isolation.state = 'running';
  }

  /** Stops restarting, asks the plugin to detach and ends its worker (its devices go with it). */
  async detach(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    await this.link?.stop();
    this.isolation.state = 'stopped';
  }

  private spawn(): WorkerLink {
    tuneMalloc(); // else the worker's malloc arena is trimmed and faulted back in per call (see tuneMalloc)
    this.link = new WorkerLink(this.kernel, this.s, this.plugin, this.file, this.options, this.paths, (l, why) => this.died(l, why));
    return this.link;
  }

  private died(link: WorkerLink, why: DevfsError): void {
    if (this.stopping || this.isolation.state === 'starting') return; // attach reports it
    this.isolation.lastFailure = { code: why.code, message: reasonOf(why), at: new Date().toISOString() };
    if (Date.now() - link.startedAt > STABLE_MS) this.consecutive = 0;
    const again = this.s.restart === 'always';
    this.isolation.state = again ? 'restarting' : 'failed';
    this.kernel.emit({ type: 'NOTIFY', name: this.name, data: { event: 'DRIVER_FAILED', plugin: this.plugin, code: why.code, reason: reasonOf(why), restart: again } });
    if (!again) return;
    const delay = Math.min(this.s.maxBackoffMs, this.s.backoffMs * 2 ** Math.min(this.consecutive++, 20));
    this.restartTimer = setTimeout(() => this.restart(), delay);
    this.restartTimer.unref();
  }

  private restart(): void {
    if (this.stopping) return;
    this.isolation.restarts++;
    this.isolation.state = 'running';
    const link = this.spawn();
    link.ready.then((r) => {
      if (r.drivers.length > 0) {
        this.kernel.emit({ type: 'NOTIFY', name: this.name, data: { event: 'DRIVER_RESTARTED', plugin: this.plugin, restarts: this.isolation.restarts } });
        return;
      }
      const f = r.failures[0];
      link.kill(devfsError(f?.code ?? 'EINVAL', 'plugin.attach', this.plugin, f?.message ?? 'no driver attached after a restart'));
    }, () => undefined); // died while starting: died() already scheduled the next attempt
  }
}
