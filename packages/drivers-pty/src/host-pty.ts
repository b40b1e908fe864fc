import * as fs from 'fs';
import { native } from '@devfs/native';
import type { PtyPair } from '@devfs/native';
import { Accounts, devfsError, GID_TTY, toDevfsError } from '@devfs/core';

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

const accounts = new Accounts();

/** The host's `tty` group (group(5)), else GID_TTY (5). */
export function hostTtyGid(): number {
  return accounts.gidOf('tty') ?? GID_TTY;
}

/**
 * Gives the host slave to the user a process is spawned for, as a login's terminal is: owner
 * `uid`, group tty, mode 0620 — so that the program can reopen its own terminal (`echo > $(tty)`)
 * and nobody but the tty group can write to it. The path is safe to use by name: devpts entries
 * are made only by the kernel, and the number stays ours while we hold the master. Only root
 * hands terminals over; anyone else's slave is already their own (devpts makes it so), and a
 * spawn as another uid fails in the child's setuid with its own error.
 */
export function grantHostSlave(ptsPath: string, uid: number): void {
  if (process.geteuid?.() !== 0) return;
  try {
    fs.chownSync(ptsPath, uid, hostTtyGid());
    fs.chmodSync(ptsPath, 0o620);
  } catch (err) {
    throw toDevfsError(err, 'chown', ptsPath);
  }
}
