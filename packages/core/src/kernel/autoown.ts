import type { Cred } from '../cred';
import { D_AUTOOWN } from '../constants';
import type { Cdev } from './cdev';

/** Auto-ownership (Linux devfs): the first opener of a D_AUTOOWN device becomes its owner. */
export function autoOwnOpen(dev: Cdev, cred: Cred): void {
  if (dev.usecount === 0 && ((dev.si_devsw.d_flags ?? 0) & D_AUTOOWN)) {
    dev.uid = cred.uid;
  }
}

/** Restores an auto-owned device's default owner after its last close. */
export function autoOwnClose(dev: Cdev): void {
  if (dev.usecount === 0 && ((dev.si_devsw.d_flags ?? 0) & D_AUTOOWN) && dev.ext) {
    dev.uid = dev.ext.defaultUid;
    dev.gid = dev.ext.defaultGid;
  }
}
