import type { DevFile, Fileops } from '@devfs/core';
import { ptyIoctl, ptyRead, ptyWrite } from './io';
import type { PtyUnit } from './unit';

/** The unit behind a ptmx handle (its fdclone data). */
function unitOf(file: DevFile): PtyUnit {
  return file.data as PtyUnit;
}

/**
 * File operations of a ptmx handle (fdclone'd): I/O on the real master, readiness from the real
 * fd, the pty ioctls with TIOCGPTN answering our N. Closing it closes the host pty. Once the
 * master is closed under the handle (driver detach) every call is ENXIO and a poll reports
 * POLLNVAL|POLLERR: the fd number is never used again.
 */
export const masterOps: Fileops = {
  fo_read: (file, buf) => ptyRead(unitOf(file).master.fd('read', file.path), buf, file.path),
  fo_write: (file, buf) => ptyWrite(unitOf(file).master.fd('write', file.path), buf, file.path),
  fo_poll: (file, events) => unitOf(file).master.poll(file, events),
  fo_ioctl: (file, cmd, arg) => ptyIoctl(unitOf(file).master, cmd, arg, file.path, unitOf(file).n),
  fo_close: (file) => unitOf(file).releaseMaster(),
};
