import type { Cdevsw, DevFile, Fileops, Kernel } from '@devfs/core';
import type { TapInterface } from './tap-if';

/**
 * cdevsw of the `tap` cloner: every open creates a new host interface (`open` makes it, with its
 * tapN node) and turns the handle into that interface (fdclone) — the cloner node itself is never
 * held open. Closing the handle destroys the interface (`close`).
 */
export function tapClonerDevsw(kernel: Kernel, open: () => TapInterface, close: (tif: TapInterface) => Promise<void>): Cdevsw {
  const ops: Fileops = {
    fo_read: (file, buf) => tifOf(file).read(buf, file.path),
    fo_write: (file, buf) => tifOf(file).write(buf, file.path),
    fo_ioctl: (file, cmd, arg) => tifOf(file).ioctl(cmd, arg, file.path),
    fo_poll: (file, events) => tifOf(file).poll(events, file),
    fo_close: (file) => close(tifOf(file)),
  };
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
