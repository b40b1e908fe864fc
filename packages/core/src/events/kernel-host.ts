import { devfsError } from '../errors';
import type { DevAttrs, EventActionHost } from './types';

/** A mount as the actions use it: the three calls PERMISSIONS, RESTORE and SYMLINK make. */
export interface ActionMount {
  chown(path: string, uid: number, gid: number): void;
  chmod(path: string, mode: number): void;
  symlink(target: string, path: string): void;
}

/** What the kernel's action host acts on: devices by global name, and its mounts. */
export interface ActionTargets {
  /** The device (its default attributes) with this global name. */
  lookupDev(name: string): { uid: number; gid: number; mode: number } | undefined;
  /** Every live mount. */
  mounts(): Iterable<ActionMount>;
  /** The live mount with this name. */
  mountNamed(name: string): ActionMount | undefined;
  /** The path a mount is presented at (`$mntpt`). */
  mountPath(mount?: string): string;
}

/** A kernel's action host plus the setter the plugin host uses to provide MODLOAD. */
export interface KernelActionHost extends EventActionHost {
  /** Sets how MODLOAD loads a driver package (until then MODLOAD fails with ENOSYS). */
  setModload(f: (pkg: string) => Promise<void>): void;
}

/**
 * The EventActionHost of a kernel (see the README's "The host interface"): a global event
 * (`mount` undefined) sets a device's defaults or acts in every mount; a named one acts in that
 * mount only (none, when it is gone).
 */
export function kernelActionHost(k: ActionTargets): KernelActionHost {
  const targets = (mount: string | undefined): ActionMount[] => {
    if (mount === undefined) return [...k.mounts()];
    const m = k.mountNamed(mount);
    return m ? [m] : [];
  };
  let modload: ((pkg: string) => Promise<void>) | undefined;
  return {
    setAttrs: (mount: string | undefined, name: string, attrs: DevAttrs) => {
      if (mount === undefined) {
        const dev = k.lookupDev(name);
        if (!dev) return;
        if (attrs.uid !== undefined) dev.uid = attrs.uid;
        if (attrs.gid !== undefined) dev.gid = attrs.gid;
        if (attrs.mode !== undefined) dev.mode = attrs.mode & 0o7777;
        return;
      }
      for (const m of targets(mount)) {
        if (attrs.uid !== undefined || attrs.gid !== undefined) m.chown(name, attrs.uid ?? -1, attrs.gid ?? -1);
        if (attrs.mode !== undefined) m.chmod(name, attrs.mode & 0o7777);
      }
    },
    symlink: (mount: string | undefined, target: string, linkname: string) => {
      for (const m of targets(mount)) m.symlink(target, linkname);
    },
    modload: (pkg: string) => {
      if (!modload) return Promise.reject(devfsError('ENOSYS', 'modload', pkg, 'no plugin host is attached to this kernel'));
      return modload(pkg);
    },
    mountPath: (mount?: string) => k.mountPath(mount),
    setModload: (f) => { modload = f; },
  };
}
