import type { Cdevsw, DevFile, Fileops, Kernel } from '@devfs/core';
import type { TapInterface } from './tap-if';

/**
 * The fileops of a handle that is one tap queue (fdclone'd: a cloner open, or a further queue of
 * a multi-queue tapN): every call goes to the TapInterface in file.data; `close` ends it.
 */
export function tapHandleOps(close: (tif: TapInterface) => Promise<void>): Fileops {
  return {
    fo_read: (file, buf) => tifOf(file).read(buf, file.path),
    fo_write: (file, buf) => tifOf(file).write(buf, file.path),
    fo_ioctl: (file, cmd, arg) => tifOf(file).ioctl(cmd, arg, file.path),
    fo_poll: (file, events) => tifOf(file).poll(events, file),
    fo_close: (file) => close(tifOf(file)),
  };
}

/**
 * cdevsw of the `tap` cloner: every open creates a new host interface (`open` makes it, with its
 * tapN node, with the driver's `clone` features) and turns the handle into that interface
 * (fdclone) — the cloner node itself is never held open. Closing the handle destroys the
 * interface (`close`).
 */
export function tapClonerDevsw(kernel: Kernel, open: () => TapInterface, close: (tif: TapInterface) => Promise<void>): Cdevsw {
  const ops = tapHandleOps(close);
  return {
    d_name: 'tap',
    d_open: async (_dev, _oflags, file) => {
      kernel.fdclone(file, ops, open());
    },
  };
}

function tifOf(file: DevFile): TapInterface {
  return file.data as TapInterface;
}
