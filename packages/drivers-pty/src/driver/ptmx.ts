import { D_TTY } from '@devfs/core';
import type { Cdevsw, Cred, DevFile, Kernel } from '@devfs/core';
import { masterOps } from './master';
import type { PtyUnit } from './unit';

/**
 * cdevsw of the `ptmx` cloner: every open allocates a real host pty and a `pts/N` node, and turns
 * the handle into the master (fdclone) — the ptmx node itself is never held open.
 */
export function ptmxDevsw(kernel: Kernel, allocate: (cred: Cred) => PtyUnit, onOpen: (file: DevFile, unit: PtyUnit) => void): Cdevsw {
  return {
    d_name: 'ptmx',
    d_flags: D_TTY,
    d_fdopen(_dev, _oflags, file): void {
      const unit = allocate(file.cred);
      try {
        kernel.fdclone(file, masterOps, unit);
      } catch (err) {
        unit.releaseMaster();
        throw err;
      }
      onOpen(file, unit);
    },
  };
}
