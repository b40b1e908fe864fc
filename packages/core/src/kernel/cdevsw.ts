import type { Cdev } from './cdev';
import type { DevFile } from '../file/devfile';

/**
 * A driver's method table (FreeBSD's `struct cdevsw`). Every method may return a value or a
 * Promise. Missing methods default as FreeBSD does: open/close succeed, read/write → ENODEV,
 * ioctl → ENOTTY (never a silent success), poll → always ready for read and write.
 * A method that would block throws EAGAIN: the framework then waits for `d_poll` readiness
 * (woken by `selwakeup`) unless the file is non-blocking.
 * `Softc` is the type of the driver's per-device state (`si_drv1`) that its methods receive.
 */
export interface Cdevsw<Softc = any> {
  d_name: string;
  d_flags?: number;
  d_open?(dev: Cdev<Softc>, oflags: number, file: DevFile): void | Promise<void>;
  d_fdopen?(dev: Cdev<Softc>, oflags: number, file: DevFile): void | Promise<void>;
  d_close?(dev: Cdev<Softc>, fflag: number, file: DevFile): void | Promise<void>;
  d_read?(dev: Cdev<Softc>, buf: Buffer, position: number | null, file: DevFile): number | Promise<number>;
  d_write?(dev: Cdev<Softc>, buf: Buffer, position: number | null, file: DevFile): number | Promise<number>;
  d_ioctl?(dev: Cdev<Softc>, cmd: number, arg: unknown, file: DevFile): unknown | Promise<unknown>;
  d_poll?(dev: Cdev<Softc>, events: number, file: DevFile): number;
  d_purge?(dev: Cdev<Softc>): void;
}

/** File operations of an fdclone'd handle (NetBSD's `struct fileops`). */
export interface Fileops {
  fo_read?(file: DevFile, buf: Buffer, position: number | null): number | Promise<number>;
  fo_write?(file: DevFile, buf: Buffer, position: number | null): number | Promise<number>;
  fo_ioctl?(file: DevFile, cmd: number, arg: unknown): unknown | Promise<unknown>;
  fo_poll?(file: DevFile, events: number): number;
  fo_close?(file: DevFile): void | Promise<void>;
  fo_stat?(file: DevFile): Partial<import('../file/stat').DevStat>;
}
