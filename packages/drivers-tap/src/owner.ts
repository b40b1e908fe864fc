import * as fs from 'fs';
import { devfsError } from '@devfs/core';

/**
 * Process group of this process: field 5 of /proc/self/stat (read after the last ')' because the
 * command name in field 2 may hold spaces and parentheses). Read each time: setpgid may move us.
 * 0 when procfs cannot tell (then no group is accepted as ours).
 */
export function ownProcessGroup(): number {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const pgrp = Number(fields[2]); // state, ppid, pgrp
    return Number.isInteger(pgrp) && pgrp > 0 ? pgrp : 0;
  } catch {
    return 0;
  }
}

/** True when `owner` is 0 (none), this process (> 0) or this process's group (< 0). */
export function isOwnOwner(owner: number): boolean {
  if (owner === 0 || owner === process.pid) return true;
  return owner < 0 && -owner === ownProcessGroup();
}

/**
 * Checks a FIOSETOWN value: a handle may direct SIGIO only at the calling process (`process.pid`)
 * or its own process group (`-pgrp`), or clear the owner (0). Anything else — another process,
 * another group — is EPERM, so holding a handle never lets a caller signal someone else.
 */
export function checkOwner(owner: number, path: string): number {
  if (!isOwnOwner(owner)) {
    throw devfsError('EPERM', 'ioctl', path, `FIOSETOWN ${owner}: only this process (${process.pid}) or its own process group may receive SIGIO`);
  }
  return owner;
}

/**
 * Where SIGIO for `owner` may be sent now: the owner when it is still this process or its group and
 * the signal would not end this process (SIGIO's default action terminates: without a 'SIGIO'
 * listener neither our pid nor our own group is signalled); undefined otherwise.
 */
export function sigioTarget(owner: number): number | undefined {
  if (owner === 0 || !isOwnOwner(owner)) return undefined;
  return process.listenerCount('SIGIO') > 0 ? owner : undefined;
}
