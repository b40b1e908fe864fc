import { D_TTY, devfsError, O_NONBLOCK, toDevfsError } from '@devfs/core';
import type { Cdev, Cdevsw, DevFile, Kernel } from '@devfs/core';
import type { HostFd } from './host-fd';
import { ptyIoctl, ptyRead, ptyWrite } from './io';
import type { PtyUnit } from './unit';

/**
 * cdevsw of `pts/N`: each open opens the real host slave (O_NOCTTY: the daemon never gains a
 * controlling terminal) as that handle's own fd, closed by the handle's cdevpriv destructor — or
 * by the driver's detach, after which the handle gets ENXIO without touching the fd number.
 */
export function ptsDevsw(kernel: Kernel, onOpen: (file: DevFile, handle: { close(): void }) => void): Cdevsw<PtyUnit> {
  const slaveOf = (file: DevFile) => kernel.devfs_get_cdevpriv(file) as HostFd;
  return {
    d_name: 'pts',
    d_flags: D_TTY,
    d_open(dev: Cdev<PtyUnit>, _oflags: number, file: DevFile): void {
      const unit = dev.si_drv1;
      // Without our master the host number may already belong to someone else's pty.
      if (!unit.masterIsOpen) throw devfsError('ENXIO', 'open', file.path, 'the master side of this pty is closed');
      let slave: HostFd;
      try {
        slave = unit.openSlave(O_NONBLOCK);
      } catch (err) {
        throw toDevfsError(err, 'open', file.path);
      }
      const close = () => unit.closeSlave(slave);
      kernel.devfs_set_cdevpriv(file, slave, close);
      onOpen(file, { close });
    },
    d_read: (_dev, buf, _pos, file) => ptyRead(slaveOf(file).fd('read', file.path), buf, file.path),
    d_write: (_dev, buf, _pos, file) => ptyWrite(slaveOf(file).fd('write', file.path), buf, file.path),
    d_poll: (_dev, events, file) => slaveOf(file).poll(file, events),
    d_ioctl: (_dev, cmd, arg, file) => ptyIoctl(slaveOf(file), cmd, arg, file.path, undefined),
  };
}
