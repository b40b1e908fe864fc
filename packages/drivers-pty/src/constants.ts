/** Linux ioctl numbers the pty driver answers (the same numbers the host kernel uses). */

/** Get the window size: resolves with `{ cols, rows }`. */
export const TIOCGWINSZ = 0x5413;
/** Set the window size: arg `{ cols, rows }`; the foreground process group gets SIGWINCH. */
export const TIOCSWINSZ = 0x5414;
/** On a ptmx handle: the N of its `pts/N` in the devfs namespace (not the host's number). */
export const TIOCGPTN = 0x80045430;
/** Foreground process group of the terminal (used for `IPty.process`). */
export const TIOCGPGRP = 0x540f;
/** Bytes waiting to be read. */
export { FIONREAD } from '@devfs/core';

/** Mode of pts/N nodes (FreeBSD: crw--w----, owner the opener of ptmx, group tty). */
export const PTS_MODE = 0o620;
/** Mode of the ptmx cloner node. */
export const PTMX_MODE = 0o666;
