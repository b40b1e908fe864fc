/**
 * What a caller may learn from the inventory verbs (md list, sysctl, drivers, mounts, events): a
 * privileged caller (root, or the daemon's own uid) everything; anyone else only what its own
 * mount shows it — names it can stat there with its own credentials — or nothing.
 */
import { devfsError } from '@devfs/core';
import type { DevEvent } from '@devfs/core';
import type { Session } from '../context';

/** True for root and for the uid the daemon runs as (it could read the daemon's memory anyway). */
export function privileged(s: Session): boolean {
  return s.cred.uid === 0 || s.cred.uid === process.getuid?.();
}

/** EPERM unless the caller is privileged. */
export function needPrivilege(s: Session, what: string): void {
  if (!privileged(s)) throw devfsError('EPERM', what, undefined, `only root may list ${what}`);
}

/** True when `name` exists for this caller in its own mount (lstat with its credentials; no LOOKUP). */
export function shows(s: Session, name: string): boolean {
  if (typeof name !== 'string' || name === '') return false;
  try {
    s.mount.lstat(name, s.cred);
    return true;
  } catch {
    return false;
  }
}

/** Event types whose `uid`/`gid` are the acting process's, not the entry's attributes. */
const ACTOR_EVENTS = new Set(['LOOKUP', 'OPEN', 'CLOSE']);
/** `data` keys that name other processes. */
const PROCESS_KEYS = ['pid', 'owner'];
/** Most names remembered per follower for its UNREGISTER/DELETE events. */
const SHOWN_MAX = 4096;

/**
 * The event as this caller may see it, or undefined. Unprivileged callers get only events of
 * their own mount or global ones, about names their mount shows them (an UNREGISTER/DELETE of a
 * name they were shown, in `shown`), LOOKUP misses only their own, and no other user's uid/gid
 * or process ids. `shown` is the caller's memory of names it was shown (updated here).
 */
export function eventFor(s: Session, e: DevEvent, shown: Set<string>): DevEvent | undefined {
  if (privileged(s)) return e;
  if (e.type === 'NOTIFY' && !e.name) return e; // overrun notices carry no name
  if (e.mount !== undefined && e.mount !== s.mount.name) return undefined;
  const own = e.uid === s.cred.uid;
  if (e.type === 'LOOKUP') {
    if (!own) return undefined;
  } else if (e.type === 'UNREGISTER' || e.type === 'DELETE') {
    if (!shown.delete(e.name)) return undefined;
  } else {
    if (!shows(s, e.name)) return undefined;
    if (shown.size < SHOWN_MAX) shown.add(e.name);
  }
  return strip(e, ACTOR_EVENTS.has(e.type) && !own);
}

function strip(e: DevEvent, actor: boolean): DevEvent {
  const data = e.data && PROCESS_KEYS.some((k) => k in e.data!) ? { ...e.data } : e.data;
  if (data !== e.data) for (const k of PROCESS_KEYS) delete data![k];
  if (!actor && data === e.data) return e;
  const out: DevEvent = { ...e, data };
  if (data === undefined) delete out.data;
  if (actor) {
    delete out.uid;
    delete out.gid;
  }
  return out;
}
