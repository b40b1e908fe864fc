/**
 * Persistence never grants: the identity of the device an event is about, and whether attributes
 * saved by COPY may be handed back to it by RESTORE. Kernel events carry `data.driver`,
 * `data.unit` and `data.persistent` (false for a device made by a cloner, for a credential, or
 * auto-owned — see kernel/origin.ts); events emitted by hand may carry none of them.
 */
import type { SavedAttrs } from './state-store';
import { sameIdentity } from './state-store';
import type { DevAttrs, DevEvent } from './types';

/** The identity an event names. */
export interface DeviceIdentity {
  driver?: string;
  unit?: number;
  /** False when the device belongs to whoever caused it (its name is reused for others). */
  persistent: boolean;
}

/** The identity of the device `e` is about. */
export function identityOf(e: DevEvent): DeviceIdentity {
  const d = e.data ?? {};
  return {
    driver: typeof d.driver === 'string' ? d.driver : undefined,
    unit: Number.isInteger(d.unit) ? (d.unit as number) : undefined,
    persistent: d.persistent !== false,
  };
}

/** What COPY saves for `e`: its attributes and identity (undefined: never saved, not persistent). */
export function savedFor(e: DevEvent): SavedAttrs | undefined {
  const id = identityOf(e);
  if (!id.persistent) return undefined;
  const out: SavedAttrs = { uid: e.uid, gid: e.gid, mode: e.mode };
  if (id.driver !== undefined) out.driver = id.driver;
  if (id.unit !== undefined) out.unit = id.unit;
  return out;
}

/** Why `saved` must not be restored to the device of `e` (undefined: it may). */
export function restoreRefusal(saved: SavedAttrs, e: DevEvent): string | undefined {
  const id = identityOf(e);
  if (!id.persistent) {
    return `'${e.name}' is made per open or for a credential (cloned or auto-owned): saved attributes are never restored to it`;
  }
  if (!sameIdentity(saved, id)) {
    return `saved for ${describe(saved)}, but '${e.name}' is now ${describe(id)}`;
  }
  return undefined;
}

/** The attributes alone (what the host is asked to set). */
export function attrsOnly(s: SavedAttrs): DevAttrs {
  const out: DevAttrs = {};
  if (s.uid !== undefined) out.uid = s.uid;
  if (s.gid !== undefined) out.gid = s.gid;
  if (s.mode !== undefined) out.mode = s.mode;
  return out;
}

function describe(i: { driver?: string; unit?: number }): string {
  if (i.driver === undefined && i.unit === undefined) return 'a device of unrecorded identity';
  return `driver '${i.driver ?? '?'}' unit ${i.unit ?? '?'}`;
}
