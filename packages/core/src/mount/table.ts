import { devfsError } from '../errors';
import { arg } from '../validate';
import { Mount, MountOptions } from './mount';
import { RulesetView } from './view';
import type { MountRegistry } from './registry';
import { WalkBudget } from './cache';

/** Path walks all mounts of a table may keep cached together (see cache.ts). */
export const WALK_CACHE_LIMIT = 4096;

/**
 * The filesystem side's own state (FreeBSD's mount list and the rulesets' shared views): the
 * live mounts of one registry, the paths they are presented at, and one RulesetView per ruleset
 * in use, shared by every mount (epoch) that uses it.
 */
export class MountTable {
  /** Live mounts. */
  readonly mounts = new Set<Mount>();
  /** Paths mounts are presented at, for `$mntpt` in event actions (default '/dev'). */
  readonly paths = new Map<string, string>();
  private readonly views = new Map<number, { view: RulesetView; release: () => void }>();
  /** @internal the budget every mount's path cache shares. */
  readonly walkBudget = new WalkBudget(WALK_CACHE_LIMIT);

  constructor(readonly registry: MountRegistry) {
    // Adoption is a change too: the foreign insert's own log record may have been read (by a view
    // created or caught up in between) before the device existed, so every ruleset evaluates it now.
    registry.onAdopt((dev) => {
      for (const v of this.views.values()) v.view.evaluateNow(dev);
      this.walkBudget.clearAll();
    });
    // a ruleset changed: no cached walk of any mount outlives it
    registry.rules.onChange(() => this.walkBudget.clearAll());
  }

  /** Creates a mount: an independent view of the namespace with its own attributes and ruleset. */
  mount(opts: MountOptions = {}): Mount {
    arg.object(opts, 'mount options', 'mount');
    arg.optBool(opts.readOnly, 'readOnly', 'mount', false);
    arg.optBool(opts.jail, 'jail', 'mount', false);
    if (opts.ruleset !== undefined) arg.ruleset(opts.ruleset, 'mount');
    if (opts.name !== undefined) {
      arg.string(opts.name, 'mount name', 'mount');
      for (const m of this.mounts) if (m.name === opts.name) throw devfsError('EEXIST', 'mount', opts.name, 'a mount with this name exists');
    }
    const m = new Mount(this, opts);
    this.mounts.add(m);
    return m;
  }

  /** The mount with this name. */
  named(name: string): Mount | undefined {
    arg.string(name, 'mount name', 'mountNamed');
    for (const m of this.mounts) if (m.name === name) return m;
    return undefined;
  }

  /** The path a mount is presented at (`$mntpt`): set with `paths`, else '/dev'. */
  pathOf(mount?: string): string {
    return (mount !== undefined && this.paths.get(mount)) || '/dev';
  }

  /** The shared view of a ruleset (ESRCH if it does not exist; 0 → none). */
  view(ruleset: number | string): RulesetView | undefined {
    const rules = this.registry.rules;
    const n = rules.resolve(ruleset);
    if (n === 0) return undefined;
    if (!rules.has(n)) throw devfsError('ESRCH', 'ruleset', String(ruleset), 'no such ruleset');
    let v = this.views.get(n);
    if (!v) {
      const release = rules.retain(n);
      v = { view: new RulesetView(this.registry, rules, n), release };
      this.views.set(n, v);
    }
    return v.view;
  }

  /** Drops a mount's reference to a view. */
  releaseView(view: RulesetView): void {
    if (--view.refs > 0) return;
    const v = this.views.get(view.ruleset);
    if (v && v.view === view) {
      this.views.delete(view.ruleset);
      v.release();
    }
  }
}
