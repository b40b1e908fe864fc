import { devfsError } from '../errors';
import { ruleError } from './location';
import { MAX_RULE_NUMBER, SpecLocations } from './spec';
import type { CompiledRule } from './types';

/**
 * The rulesets themselves: rules in rule-number order per ruleset, and reference counts (a
 * ruleset named by an `include`, or retained by a mount, exists even when it holds no rule, as in
 * FreeBSD). Every mutation validates completely before it changes anything, and records which
 * rulesets it touched. `clone()` gives a draft for all-or-nothing multi-line loads.
 */
export class RuleStore {
  private constructor(
    private readonly sets: Map<number, CompiledRule[]>,
    private readonly refs: Map<number, number>,
    /** Rulesets changed since the last {@link drainTouched}. */
    private touched: Set<number>,
  ) {}

  /** An empty store. */
  static create(): RuleStore {
    return new RuleStore(new Map(), new Map(), new Set());
  }

  /** An independent copy (rule objects are immutable and shared). */
  clone(): RuleStore {
    const sets = new Map<number, CompiledRule[]>();
    for (const [n, rules] of this.sets) sets.set(n, rules.slice());
    return new RuleStore(sets, new Map(this.refs), new Set(this.touched));
  }

  /** Rules of a ruleset in rule-number order (empty when it does not exist). */
  rules(rs: number): readonly CompiledRule[] {
    return this.sets.get(rs) ?? [];
  }

  /** True when the ruleset has rules or is referenced. */
  exists(rs: number): boolean {
    return (this.sets.get(rs)?.length ?? 0) > 0 || (this.refs.get(rs) ?? 0) > 0;
  }

  /** Numbers of existing rulesets, ascending. */
  list(): number[] {
    const out = new Set<number>();
    for (const [n, rules] of this.sets) if (rules.length > 0) out.add(n);
    for (const [n, c] of this.refs) if (c > 0) out.add(n);
    return [...out].sort((a, b) => a - b);
  }

  /** Rulesets directly included by rules of `rs`. */
  includesOf(rs: number): number[] {
    const out: number[] = [];
    for (const r of this.rules(rs)) if (r.include !== null) out.push(r.include);
    return out;
  }

  /** True when `target` is `from` or reachable from it through include actions. */
  reaches(from: number, target: number): boolean {
    const seen = new Set<number>();
    const stack = [from];
    while (stack.length > 0) {
      const rs = stack.pop()!;
      if (rs === target) return true;
      if (seen.has(rs)) continue;
      seen.add(rs);
      stack.push(...this.includesOf(rs));
    }
    return false;
  }

  /**
   * Inserts `rule` into `rs` and returns its number, with FreeBSD's checks in FreeBSD's order:
   * duplicate number → EEXIST; ruleset 0 → EIO; include of a missing ruleset → ESRCH; then ours:
   * an include that closes a cycle → ELOOP; automatic numbering past 65535 → ERANGE.
   */
  insert(rs: number, rule: CompiledRule, locs: SpecLocations, syscall: string): number {
    const rules = this.sets.get(rs) ?? [];
    if (rule.rnum !== 0 && rules.some((r) => r.rnum === rule.rnum)) {
      throw ruleError('EEXIST', syscall, locs.rnum ?? locs.start, `rule ${rule.rnum} already exists in ruleset ${rs}`, String(rule.rnum));
    }
    if (rs === 0) {
      throw ruleError('EIO', syscall, locs.start, 'ruleset 0 cannot hold rules');
    }
    if (rule.include !== null) {
      const loc = locs.include ?? locs.start;
      if (!this.exists(rule.include)) {
        throw ruleError('ESRCH', syscall, loc, `included ruleset ${rule.include} does not exist`, String(rule.include));
      }
      if (this.reaches(rule.include, rs)) {
        throw ruleError('ELOOP', syscall, loc, `including ruleset ${rule.include} in ruleset ${rs} makes an include cycle`, String(rule.include));
      }
    }
    let rnum = rule.rnum;
    if (rnum === 0) {
      rnum = rules.length === 0 ? 100 : rules[rules.length - 1].rnum + 100;
      if (rnum > MAX_RULE_NUMBER) {
        throw ruleError('ERANGE', syscall, locs.start, `automatic rule number would exceed ${MAX_RULE_NUMBER}`);
      }
    }
    const stored: CompiledRule = rnum === rule.rnum ? rule : { ...rule, rnum };
    let at = rules.length;
    while (at > 0 && rules[at - 1].rnum > rnum) at--;
    rules.splice(at, 0, stored);
    this.sets.set(rs, rules);
    if (stored.include !== null) this.ref(stored.include, 1);
    this.touched.add(rs);
    return rnum;
  }

  /** Deletes rule `rnum` of `rs`; ENOENT when there is none. */
  remove(rs: number, rnum: number, syscall: string): void {
    const rules = this.sets.get(rs);
    const at = rules ? rules.findIndex((r) => r.rnum === rnum) : -1;
    if (!rules || at < 0) {
      throw devfsError('ENOENT', syscall, String(rs), `no rule ${rnum} in ruleset ${rs}`);
    }
    const [gone] = rules.splice(at, 1);
    if (gone.include !== null) this.ref(gone.include, -1);
    if (rules.length === 0) this.sets.delete(rs);
    this.touched.add(rs);
  }

  /** Deletes every rule of `rs` (`devfs rule delset`); a missing ruleset is not an error. */
  removeAll(rs: number): void {
    const rules = this.sets.get(rs);
    if (!rules) return;
    for (const r of rules) if (r.include !== null) this.ref(r.include, -1);
    this.sets.delete(rs);
    this.touched.add(rs);
  }

  /** Adds `delta` to a ruleset's reference count. */
  ref(rs: number, delta: number): void {
    const c = (this.refs.get(rs) ?? 0) + delta;
    if (c > 0) this.refs.set(rs, c);
    else this.refs.delete(rs);
  }

  /** Rulesets touched since the last call, and resets the record. */
  drainTouched(): Set<number> {
    const t = this.touched;
    this.touched = new Set();
    return t;
  }

  /** Every ruleset that includes `rs`, directly or not (plus `rs`). */
  includersOf(targets: Iterable<number>): Set<number> {
    const out = new Set<number>(targets);
    let grew = true;
    while (grew) {
      grew = false;
      for (const [n, rules] of this.sets) {
        if (out.has(n)) continue;
        if (rules.some((r) => r.include !== null && out.has(r.include))) {
          out.add(n);
          grew = true;
        }
      }
    }
    return out;
  }
}
