/**
 * How a device came to exist, as far as trust is concerned: made for a credential (`si_cred`,
 * FreeBSD's make_dev_cred), made by a cloner (inside a clone handler or inside d_open/d_fdopen),
 * or auto-owned (D_AUTOOWN). Such a device belongs to whoever caused it; its number is reused for
 * someone else later, so saved attributes are never handed back to it (it is not `persistent`),
 * and a jail mount shows a credentialed device only to its creator's uid.
 */
import type { Cred } from '../cred';
import { devfsError } from '../errors';

let cloneDepth = 0;

/** True while a clone handler or the synchronous part of a d_open/d_fdopen runs. */
export function inCloneContext(): boolean {
  return cloneDepth > 0;
}

/**
 * Runs `fn` marked as cloning: devices it makes synchronously are flagged SI_CLONED. Its result
 * (a promise included) is returned as is; only the synchronous part is marked.
 */
export function asCloner<T>(fn: () => T): T {
  cloneDepth++;
  try {
    return fn();
  } finally {
    cloneDepth--;
  }
}

/**
 * A frozen copy of the credential a device is made for (so the caller cannot change it later);
 * EINVAL when it is not a credential.
 */
export function snapshotCred(cred: Cred, name: string): Readonly<Cred> {
  const ok = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 0 && (n as number) <= 0xffffffff;
  if (!cred || typeof cred !== 'object' || !ok(cred.uid) || !ok(cred.gid)) {
    throw devfsError('EINVAL', 'make_dev', name, 'cred must be { uid, gid, groups? } with ids 0..2^32-1');
  }
  const groups = Array.isArray(cred.groups) ? cred.groups.filter(ok) : [cred.gid];
  return Object.freeze({ uid: cred.uid, gid: cred.gid, groups: Object.freeze(groups) as number[] });
}
