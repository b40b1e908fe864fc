import type { Cdev } from '../kernel/cdev';
import type { DirNode } from '../kernel/namespace';
import type { Resolved } from './node';

/**
 * One remembered path walk of a mount (FreeBSD's VFS name cache in front of devfs_lookup): what
 * the path resolved to (`r`), or — a negative entry — in which directory (`missDir`) its final
 * component `missName` was missing for everyone. It is valid for every caller that passes the
 * same checks the walk made: search permission on each directory in `dirs` (in walk order) and,
 * in a jail mount, visibility (si_cred) of each device in `owned` (only devices made for a
 * credential are listed). Root passes both without looking.
 */
export class WalkEntry {
  constructor(
    readonly r: Resolved | undefined,
    readonly dirs: readonly DirNode[],
    readonly owned: readonly Cdev[] | undefined,
    readonly missDir: (Resolved & { kind: 'dir' }) | undefined,
    readonly missName: string,
  ) {}
}

/**
 * The budget every mount's cache of one table shares: at most `limit` entries in all. When a
 * store would pass it, every cache is emptied (FreeBSD bounds its name cache globally too), so
 * memory never grows with the number of mounts times the names they looked up.
 */
export class WalkBudget {
  used = 0;
  readonly caches = new Set<WalkCache>();
  constructor(readonly limit: number) {}

  /** Empties every cache of this budget. */
  clearAll(): void {
    for (const c of this.caches) c.clear();
  }
}

/**
 * A mount's cache of resolved paths, positive and negative, keyed by the path as given, one map
 * for walks that follow a final symlink and one for walks that do not. The mount empties it
 * whenever something a walk depends on may have changed: the generation (a device made,
 * destroyed or adopted anywhere), the namespace, the mount's own attributes, whiteouts, user
 * links or ruleset epochs, or any ruleset's rules.
 */
export class WalkCache {
  private follow = new Map<string, WalkEntry>();
  private nofollow = new Map<string, WalkEntry>();
  /** Bumped by every clear: a walk that saw it change must not store what it found. */
  epoch = 0;

  constructor(private readonly budget: WalkBudget) {
    budget.caches.add(this);
  }

  /** The entry for `path`, if one is cached. */
  get(path: string, follow: boolean): WalkEntry | undefined {
    return (follow ? this.follow : this.nofollow).get(path);
  }

  /** Remembers a walk (when the budget is spent, every cache of the table is emptied first). */
  set(path: string, follow: boolean, e: WalkEntry): void {
    const b = this.budget;
    if (b.used >= b.limit) b.clearAll();
    const m = follow ? this.follow : this.nofollow;
    if (!m.has(path)) b.used++;
    m.set(path, e);
  }

  /** Forgets everything (the epoch moves even when nothing was cached). */
  clear(): void {
    this.epoch++;
    const n = this.follow.size + this.nofollow.size;
    if (n === 0) return;
    this.budget.used -= n;
    this.follow = new Map();
    this.nofollow = new Map();
  }

  /** Leaves the budget (unmount). */
  close(): void {
    this.clear();
    this.budget.caches.delete(this);
  }

  /** Entries cached (tests). */
  get size(): number {
    return this.follow.size + this.nofollow.size;
  }
}
