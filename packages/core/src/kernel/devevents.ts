/**
 * The kernel's own events, REGISTER and UNREGISTER, built from the device at delivery (they are
 * queued deferred: EventSink.emitDeferred). What may change between make_dev and delivery is
 * captured when queued — the interned Perm (owner, group, mode), the driver's name and whether
 * the device is persistent; the rest (name, inode, unit) never changes for a device. REGISTER's
 * time is the device's creation time (read by make_dev just before it queues the event: one
 * clock read, each of which costs a heap number, for both).
 */
import type { DevEvent } from '../events/types';
import { TIME_ORIGIN } from './cdev';
import type { Cdev, Perm } from './cdev';

/** REGISTER of a persistent device (see Cdev.persistent): fields in DevEvent order, seq and time last. */
export function registerPersistent(dev: Cdev, perm: Perm, driver: string, seq: number): DevEvent {
  return register(dev, perm, driver, true, seq);
}

/** REGISTER of a device that is not persistent (made for a credential, by a cloner, auto-owned). */
export function registerTransient(dev: Cdev, perm: Perm, driver: string, seq: number): DevEvent {
  return register(dev, perm, driver, false, seq);
}

function register(dev: Cdev, perm: Perm, driver: string, persistent: boolean, seq: number): DevEvent {
  return {
    type: 'REGISTER', name: dev.si_name, ino: dev.inode, uid: perm.uid, gid: perm.gid, mode: perm.mode,
    data: { driver, unit: dev.unit, persistent }, seq, time: TIME_ORIGIN + perm.tick,
  };
}

/** UNREGISTER of `dev` (its driver's name as it was when destroyed). */
export function unregistered(dev: Cdev, _unused: undefined, driver: string, seq: number, time: number): DevEvent {
  return { type: 'UNREGISTER', name: dev.si_name, ino: dev.inode, data: { driver }, seq, time };
}
