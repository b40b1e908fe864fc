/**
 * Permission persistence (devfsd's COPY/RESTORE): the last uid/gid/mode set on each name in each
 * mount, kept in memory and mirrored to one JSON file. Every change schedules a write; a burst
 * of changes is coalesced into one write of the latest state, and a change that arrives during
 * a write causes one more write, so the last state is never lost. Writes are atomic
 * (see atomic-write.ts): after a crash at any moment the file is one complete state.
 */
import * as fs from 'fs';
import * as path from 'path';
import { devfsError, toDevfsError } from '../errors';
import { removeStaleTemps, writeFileAtomic } from './atomic-write';
import { DevAttrs } from './types';

/**
 * What is saved for one name in one mount: the attributes and the identity of the device they
 * were set on (the `driver` and `unit` its events carry; absent when the event had none).
 * RESTORE applies them only to a device of the same identity.
 */
export interface SavedAttrs extends DevAttrs {
  driver?: string;
  unit?: number;
}

/** Marker of the state file format (its `format` field). */
export const STATE_FORMAT = 'devfs-events-state';
/** Version of the state file format this code reads and writes. */
export const STATE_VERSION = 1;

/** The file's shape: mount name ('' for global, REGISTER-time attributes) → name → attributes. */
export interface StateFile {
  format: typeof STATE_FORMAT;
  version: number;
  mounts: Record<string, Record<string, SavedAttrs>>;
}

/** One persisted state file. */
export class StateStore {
  private readonly mounts = new Map<string, Map<string, SavedAttrs>>();
  private dirty = false;
  private writing: Promise<void> | null = null;

  private constructor(readonly file: string, private readonly report: (err: Error) => void) {}

  /**
   * Opens `file` (absolute): reads the saved state (none if the file does not exist) and removes
   * temporary files left by dead writers. EINVAL if the file is not a state file, ENOENT if its
   * directory does not exist.
   */
  static open(file: string, report: (err: Error) => void): StateStore {
    const store = new StateStore(file, report);
    const dir = path.dirname(file);
    if (!fs.existsSync(dir)) throw devfsError('ENOENT', 'events.state', dir, 'state directory does not exist');
    let text: string | undefined;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw toDevfsError(err, 'events.state', file);
    }
    if (text !== undefined) store.load(text);
    removeStaleTemps(file);
    return store;
  }

  private load(text: string): void {
    let data: StateFile;
    try {
      data = JSON.parse(text) as StateFile;
    } catch (err) {
      throw devfsError('EINVAL', 'events.state', this.file, `not JSON: ${(err as Error).message}`);
    }
    if (!data || data.format !== STATE_FORMAT || typeof data.mounts !== 'object' || data.mounts === null) {
      throw devfsError('EINVAL', 'events.state', this.file, `not a ${STATE_FORMAT} file`);
    }
    if (data.version !== STATE_VERSION) {
      throw devfsError('EINVAL', 'events.state', this.file, `unsupported state version ${data.version}`);
    }
    for (const [mount, names] of Object.entries(data.mounts)) {
      const m = new Map<string, SavedAttrs>();
      for (const [name, a] of Object.entries(names ?? {})) m.set(name, pickAttrs(a));
      this.mounts.set(mount, m);
    }
  }

  /** Saved attributes of `name`, per mount ('' = global). */
  lookup(name: string): Array<{ mount: string; attrs: SavedAttrs }> {
    const out: Array<{ mount: string; attrs: SavedAttrs }> = [];
    for (const [mount, names] of this.mounts) {
      const a = names.get(name);
      if (a) out.push({ mount, attrs: { ...a } });
    }
    return out;
  }

  /**
   * Records new attributes of `name` in `mount` and schedules a write. They are merged with what
   * was saved for the same device identity; what was saved for another identity is replaced.
   */
  set(mount: string | undefined, name: string, attrs: SavedAttrs): void {
    const a = pickAttrs(attrs);
    if (a.uid === undefined && a.gid === undefined && a.mode === undefined) return;
    const key = mount ?? '';
    let names = this.mounts.get(key);
    if (!names) this.mounts.set(key, (names = new Map()));
    const old = names.get(name);
    names.set(name, old && sameIdentity(old, a) ? { ...old, ...a } : a);
    this.changed();
  }

  /** Forgets what was saved for `name` in `mount` ('' = global) and schedules a write. */
  delete(mount: string, name: string): void {
    const names = this.mounts.get(mount);
    if (!names || !names.delete(name)) return;
    if (names.size === 0) this.mounts.delete(mount);
    this.changed();
  }

  private changed(): void {
    this.dirty = true;
    if (!this.writing) this.writing = this.writeLoop();
  }

  /** The current state as the file holds it. */
  snapshot(): StateFile {
    const mounts: Record<string, Record<string, SavedAttrs>> = {};
    for (const [mount, names] of this.mounts) mounts[mount] = Object.fromEntries(names);
    return { format: STATE_FORMAT, version: STATE_VERSION, mounts };
  }

  /** Resolves when every change recorded so far is on disk (or its write failure was reported). */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async writeLoop(): Promise<void> {
    // Let the current burst (one delivery batch) finish so that it becomes one write.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.dirty) {
      this.dirty = false;
      const text = JSON.stringify(this.snapshot());
      try {
        await writeFileAtomic(this.file, text);
      } catch (err) {
        // The state stays in memory; the next change writes all of it again.
        this.report(toDevfsError(err, 'events.COPY', this.file));
        break;
      }
    }
    this.writing = null;
  }
}

function pickAttrs(a: SavedAttrs | undefined): SavedAttrs {
  const out: SavedAttrs = {};
  if (!a || typeof a !== 'object') return out;
  for (const k of ['uid', 'gid', 'mode', 'unit'] as const) {
    if (Number.isInteger(a[k]) && (a[k] as number) >= 0) out[k] = a[k];
  }
  if (typeof a.driver === 'string' && a.driver.length > 0 && a.driver.length <= 64) out.driver = a.driver;
  return out;
}

/** True when two saved records (or a record and a device's identity) name the same driver and unit. */
export function sameIdentity(a: { driver?: string; unit?: number }, b: { driver?: string; unit?: number }): boolean {
  return a.driver === b.driver && a.unit === b.unit;
}
