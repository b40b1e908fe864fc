import { native } from '@devfs/native';
import { devfsError, toDevfsError } from '@devfs/core';
import type { Cdevsw, Kernel } from '@devfs/core';
import type { TapInterface } from './tap-if';
import { tapHandleOps } from './cloner';

/**
 * cdevsw of a `tapN` node (a persistent, create()d or foreign interface, or a clone's node). A
 * single-queue interface takes one open at a time (EBUSY after), which opens the host interface's
 * queue; every method forwards to the interface in si_drv1. On a multi-queue interface every
 * further open is a queue of its own (a handle of its own, fdclone'd), closed with its handle.
 */
export function tapNodeDevsw(kernel: Kernel): Cdevsw<TapInterface> {
  const queueOps = tapHandleOps((q) => (q.parent ? q.parent.closeQueue(q) : q.detach()));
  return {
    d_name: 'tap',
    d_open: (dev, _oflags, file) => {
      const tif = dev.si_drv1;
      if (tif.inUse && tif.features.multiQueue && !tif.gone && !tif.destroying) {
        kernel.fdclone(file, queueOps, tif.openQueue());
        return;
      }
      nodeOpen(tif, dev.si_name);
    },
    d_close: (dev) => dev.si_drv1.detach(),
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
    fd = tif.host(() => native.tunOpen(tif.name, false, { vnetHdr: tif.features.vnetHdr, multiQueue: tif.features.multiQueue, tun: tif.features.tun }).fd);
  } catch (err) {
    throw toDevfsError(err, 'open', path);
  }
  tif.attach(fd);
  tif.inUse = true;
}
