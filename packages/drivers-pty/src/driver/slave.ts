import { native } from '@devfs/native';
import { D_TTY, devfsError, O_NONBLOCK, toDevfsError } from '@devfs/core';
import type { Cdev, Cdevsw, DevFile, Kernel } from '@devfs/core';
import { ptyIoctl, ptyRead, ptyWrite } from './io';
import { FdReadiness } from './readiness';
import type { PtyUnit } from './unit';

/** Per-handle state of an open pts/N: its own real slave fd. */
interface SlaveHandle {
  fd: number;
  ready: FdReadiness;
}

/**
 * cdevsw of `pts/N`: each open opens the real host slave (O_NOCTTY: the daemon never gains a
 * controlling terminal) as that handle's own fd, closed by the handle's cdevpriv destructor.
 */
export function ptsDevsw(kernel: Kernel, onOpen: (file: DevFile, handle: { close(): void }) => void): Cdevsw {
  const handleOf = (file: DevFile) => kernel.devfs_get_cdevpriv(file) as SlaveHandle;
  return {
    d_name: 'pts',
    d_flags: D_TTY,
    d_open(dev: Cdev, _oflags: number, file: DevFile): void {
      const unit = dev.si_drv1 as PtyUnit;
      // Without our master the host number may already belong to someone else's pty.
      if (!unit.masterIsOpen) throw devfsError('ENXIO', 'open', file.path, 'the master side of this pty is closed');
      let fd: number;
      try {
        fd = native.ptyOpenSlave(unit.pair.ptsPath, O_NONBLOCK);
      } catch (err) {
        throw toDevfsError(err, 'open', file.path);
      }
      unit.slaveOpened(fd);
      const h: SlaveHandle = { fd, ready: new FdReadiness(fd) };
      const close = () => {
        h.ready.close();
        unit.slaveClosed(fd);
      };
      kernel.devfs_set_cdevpriv(file, h, close);
      onOpen(file, { close });
    },
    d_read: (_dev, buf, _pos, file) => ptyRead(handleOf(file).fd, buf, file.path),
    d_write: (_dev, buf, _pos, file) => ptyWrite(handleOf(file).fd, buf, file.path),
    d_poll: (_dev, events, file) => handleOf(file).ready.poll(file, events),
    d_ioctl: (_dev, cmd, arg, file) => ptyIoctl(handleOf(file).fd, cmd, arg, file.path, undefined),
  };
}
