import type { Cdev } from './cdev';
import type { DevFile } from '../file/devfile';

/**
 * A driver's method table (FreeBSD's `struct cdevsw`). Every method may return a value or a
 * Promise. Missing methods default as FreeBSD does: open/close succeed, read/write → ENODEV,
 * ioctl → ENOTTY (never a silent success), poll → always ready for read and write.
 * A method that would block throws EAGAIN: the framework then waits for `d_poll` readiness
 * (woken by `selwakeup`) unless the file is non-blocking.
 */
export interface Cdevsw {
  d_name: string;
  d_flags?: number;
  d_open?(dev: Cdev, oflags: number, file: DevFile): void | Promise<void>;
  d_fdopen?(dev: Cdev, oflags: number, file: DevFile): void | Promise<void>;
  d_close?(dev: Cdev, fflag: number, file: DevFile): void | Promise<void>;
  d_read?(dev: Cdev, buf: Buffer, position: number | null, file: DevFile): number | Promise<number>;
  d_write?(dev: Cdev, buf: Buffer, position: number | null, file: DevFile): number | Promise<number>;
  d_ioctl?(dev: Cdev, cmd: number, arg: unknown, file: DevFile): unknown | Promise<unknown>;
  d_poll?(dev: Cdev, events: number, file: DevFile): number;
  d_purge?(dev: Cdev): void;
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
