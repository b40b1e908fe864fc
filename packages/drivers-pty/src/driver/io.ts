import { native } from '@devfs/native';
import { devfsError, toDevfsError, FIONREAD } from '@devfs/core';
import { TIOCGPTN, TIOCGWINSZ, TIOCSWINSZ } from '../constants';
import type { HostFd } from './host-fd';

/** read(2) on a pty fd for a devfs handle: EAGAIN passes through (the handle then waits for
 * POLLIN); EIO — the other side is gone — is end of file. */
export function ptyRead(fd: number, buf: Buffer, path: string): number {
  try {
    return native.fdRead(fd, buf, 0, buf.length);
  } catch (err) {
    if ((err as { code?: string }).code === 'EIO') return 0;
    throw toDevfsError(err, 'read', path);
  }
}

/** write(2) on a pty fd for a devfs handle: EAGAIN passes through (the handle waits for POLLOUT). */
export function ptyWrite(fd: number, buf: Buffer, path: string): number {
  try {
    return native.fdWrite(fd, buf, 0, buf.length);
  } catch (err) {
    throw toDevfsError(err, 'write', path);
  }
}

/** Window size argument of TIOCSWINSZ: `{ cols, rows }` (or struct winsize's `ws_col`/`ws_row`). */
export interface Winsize {
  cols: number;
  rows: number;
}

/**
 * The pty ioctls on a host fd: TIOCGWINSZ → `{ cols, rows }`, TIOCSWINSZ(`{ cols, rows }`),
 * FIONREAD → bytes waiting, TIOCGPTN → our unit number (`ptn`, masters only). Others: ENOTTY; a
 * command that is not an integer: EINVAL; the fd gone (driver detached): ENXIO.
 */
export function ptyIoctl(host: HostFd, cmd: number, arg: unknown, path: string, ptn: number | undefined): unknown {
  if (!Number.isInteger(cmd)) throw devfsError('EINVAL', 'ioctl', path, 'the ioctl command must be an integer');
  const fd = host.fd('ioctl', path);
  try {
    switch (cmd) {
      case TIOCGWINSZ:
        return native.ptyGetWinsize(fd);
      case TIOCSWINSZ: {
        const a = (typeof arg === 'object' && arg !== null ? arg : {}) as Partial<Winsize> & { ws_col?: number; ws_row?: number };
        const cols = a.cols ?? a.ws_col, rows = a.rows ?? a.ws_row;
        if (!Number.isInteger(cols) || !Number.isInteger(rows)) {
          throw devfsError('EINVAL', 'ioctl', path, 'TIOCSWINSZ needs { cols, rows }');
        }
        native.ptySetWinsize(fd, cols!, rows!);
        return 0;
      }
      case FIONREAD:
        return native.fdIoctlInt(fd, FIONREAD);
      case TIOCGPTN:
        if (ptn !== undefined) return ptn;
        break;
    }
  } catch (err) {
    throw toDevfsError(err, 'ioctl', path);
  }
  throw devfsError('ENOTTY', 'ioctl', path, `unknown pty ioctl 0x${cmd.toString(16)}`);
}
