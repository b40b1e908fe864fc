import type { DevFile, Fileops } from '@devfs/core';
import { ptyIoctl, ptyRead, ptyWrite } from './io';
import type { PtyUnit } from './unit';

/** The unit behind a ptmx handle (its fdclone data). */
function unitOf(file: DevFile): PtyUnit {
  return file.data as PtyUnit;
}

/**
 * File operations of a ptmx handle (fdclone'd): I/O on the real master, readiness from the real
 * fd, the pty ioctls with TIOCGPTN answering our N. Closing it closes the host pty.
 */
export const masterOps: Fileops = {
  fo_read: (file, buf) => ptyRead(unitOf(file).masterFd, buf, file.path),
  fo_write: (file, buf) => ptyWrite(unitOf(file).masterFd, buf, file.path),
  fo_poll: (file, events) => unitOf(file).readiness.poll(file, events),
  fo_ioctl: (file, cmd, arg) => ptyIoctl(unitOf(file).masterFd, cmd, arg, file.path, unitOf(file).n),
  fo_close: (file) => unitOf(file).releaseMaster(),
};
