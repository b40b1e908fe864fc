import { native } from '@devfs/native';
import type { PtyPair } from '@devfs/native';
import { devfsError, toDevfsError } from '@devfs/core';

/**
 * Allocates a real host pty (master O_CLOEXEC|O_NONBLOCK, slave unlocked). The host running out
 * of ptys (ENOSPC from /dev/ptmx, `kernel.pty.max`) is reported as EAGAIN, as FreeBSD's ptmx does.
 */
export function openHostPty(): PtyPair {
  try {
    return native.ptyOpen();
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOSPC') {
      throw devfsError('EAGAIN', 'open', 'ptmx', 'the host has no free pseudo-terminal (kernel.pty.max reached)');
    }
    throw toDevfsError(err, 'open', 'ptmx');
  }
}
