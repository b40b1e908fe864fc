/** Per-open private data (devfs_set_cdevpriv) with its destructor, which runs exactly once. */
export interface CdevPriv {
  data: unknown;
  dtor?: (data: unknown) => void;
  done: boolean;
}

/**
 * What belongs to one open, apart from the DevFile object itself: kept by the kernel (destroy
 * runs the cdevpriv destructors) and by the leak finalizer (a handle garbage-collected without
 * close() is closed from this), neither of which may keep the DevFile alive.
 */
export interface OpenState {
  priv: CdevPriv | undefined;
  ops: import('../kernel/cdevsw').Fileops | undefined;
  data: unknown;
}

/** Runs a cdevpriv destructor unless it already ran; a throwing destructor is reported, not thrown. */
export function runCdevPriv(p: CdevPriv | undefined, path: string): void {
  if (!p || p.done) return;
  p.done = true;
  if (!p.dtor) return;
  try {
    p.dtor(p.data);
  } catch (err) {
    process.emitWarning(`devfs: cdevpriv destructor of '${path}' threw: ${(err as Error).message}`);
  }
}
