import { native } from '@devfs/native';
import { devfsError, toDevfsError } from '@devfs/core';
import type { Cdevsw } from '@devfs/core';
import type { TapInterface } from './tap-if';

/**
 * cdevsw of a `tapN` node (a persistent, create()d or foreign interface): one open at a time
 * (EBUSY after), which opens the host interface's queue; every method forwards to the
 * interface in si_drv1.
 */
export function tapNodeDevsw(): Cdevsw<TapInterface> {
  return {
    d_name: 'tap',
    d_open: (dev) => nodeOpen(dev.si_drv1, dev.si_name),
    d_close: (dev) => { dev.si_drv1.detach(); },
    d_read: (dev, buf, _pos, file) => dev.si_drv1.read(buf, file.path),
    d_write: (dev, buf, _pos, file) => dev.si_drv1.write(buf, file.path),
    d_ioctl: (dev, cmd, arg, file) => dev.si_drv1.ioctl(cmd, arg, file.path),
    d_poll: (dev, events, file) => dev.si_drv1.poll(events, file),
  };
}

function nodeOpen(tif: TapInterface, path: string): void {
  if (tif.gone || tif.destroying) throw devfsError('ENXIO', 'open', path, `interface ${tif.name} is gone`);
  if (tif.inUse) throw devfsError('EBUSY', 'open', path, `${tif.name} is already open`);
  let fd: number;
  try {
    fd = native.tunOpen(tif.name).fd;
  } catch (err) {
    throw toDevfsError(err, 'open', path);
  }
  tif.attach(fd);
  tif.inUse = true;
}
