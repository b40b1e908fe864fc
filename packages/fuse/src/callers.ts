/**
 * Who sent a request: FUSE gives uid, gid and pid but not the supplementary groups, which are
 * read from /proc/<pid>/status (the Groups line) and kept for a second per pid. A request with
 * pid 0 (sent by the kernel itself) or a vanished process gets only its gid.
 */
import * as fs from 'fs';
import type { Cred } from '@devfs/core';

const TTL_MS = 1000;

/** A per-pid cache of callers' credentials. */
export class Callers {
  private readonly cache = new Map<number, { uid: number; gid: number; cred: Cred; at: number }>();

  /** The credential of a request's caller. */
  credOf(uid: number, gid: number, pid: number): Cred {
    if (pid === 0) return { uid, gid, groups: [gid] };
    const now = Date.now();
    const hit = this.cache.get(pid);
    if (hit && hit.uid === uid && hit.gid === gid && now - hit.at < TTL_MS) return hit.cred;
    const cred: Cred = { uid, gid, groups: [gid, ...groupsOf(pid).filter((g) => g !== gid)] };
    if (this.cache.size > 4096) this.cache.clear();
    this.cache.set(pid, { uid, gid, cred, at: now });
    return cred;
  }
}

/** The supplementary groups of a process ([] when it is gone). /proc is not our mount: no deadlock. */
function groupsOf(pid: number): number[] {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/status`, 'latin1');
  } catch {
    return [];
  }
  const m = /^Groups:\s*([0-9 \t]*)$/m.exec(text);
  if (!m) return [];
  return m[1].split(/\s+/).filter((s) => s !== '').map(Number).filter((n) => Number.isInteger(n) && n >= 0);
}
