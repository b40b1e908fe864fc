import { applyActions, ruleMatches } from './match';
import type { CompiledRule, RuleAttrs, RuleSubject } from './types';

/**
 * One ruleset compiled for evaluation at one include depth: its own rules, filed in a character
 * trie by their literal path prefix, so a name is tested only against rules whose prefix it
 * starts with (plus the rules without a prefix). An `include` is evaluated by reference — the
 * included ruleset's own plan (at depth - 1), fetched through `PlanSource` — never copied in, so
 * compiling is linear in the rules however includes nest or share (a diamond of includes).
 *
 * Evaluation is linear too: a rule's actions only set fields, and whether a rule matches depends
 * on the subject alone, so what a ruleset does to a subject is a fixed set of assignments (its
 * effect). Each plan computes its effect once per evaluation (recorded with a stamp, nothing is
 * allocated per evaluation) and every include of it re-applies that effect.
 */

/** Where a plan gets the plan of an included ruleset (memoized by the registry). */
export interface PlanSource {
  rules(rs: number): readonly CompiledRule[];
  plan(rs: number, depth: number): Plan;
}

const SET_HIDDEN = 1;
const SET_UID = 2;
const SET_GID = 4;
const SET_MODE = 8;

/** The assignments a ruleset makes for one subject. */
class Effect {
  set = 0;
  hidden = false;
  uid = 0;
  gid = 0;
  mode = 0;
  matched = false;
}

class TrieNode {
  next: Map<number, TrieNode> | null = null;
  steps: number[] = [];
}

/** Up to this many rules a plan runs every rule in order instead of walking its trie. */
const LINEAR_MAX = 4;

/** Evaluation counter shared by every plan (a plan's effect is valid for one evaluation). */
let evaluation = 0;

/** A compiled ruleset, valid for one ruleset version and include depth. */
export class Plan {
  private readonly rules: readonly CompiledRule[];
  private readonly root = new TrieNode();
  private readonly lists: number[][] = [];
  private readonly pos: number[] = [];
  private readonly effect = new Effect();
  private stamp = 0;
  /** Few rules: run them in order, as devfs_rules_apply does (the trie walk costs more than it saves). */
  private readonly linear: boolean;
  /** Linear and without includes: `evaluate` applies each matching rule's actions directly. */
  private readonly direct: boolean;
  /**
   * Plans of the included rulesets, by rule index, fetched on first use. Safe to keep: a change
   * to an included ruleset discards this plan too (the registry drops every includer's plan).
   */
  private readonly subs: (Plan | undefined)[] = [];

  /** Compiles ruleset `rs` of `source`; its includes are followed `depth` levels deep. */
  constructor(private readonly source: PlanSource, rs: number, private readonly depth: number, readonly version: number) {
    this.rules = source.rules(rs).slice();
    for (let i = 0; i < this.rules.length; i++) this.index(i);
    this.linear = this.rules.length <= LINEAR_MAX;
    this.direct = this.linear && this.rules.every((r) => r.include === null);
  }

  /** Number of rules compiled into this plan (its own; included rulesets have their own plans). */
  get size(): number {
    return this.rules.length;
  }

  /** Runs the ruleset over `subject`, mutating `attrs`; true when any rule matched. */
  evaluate(subject: RuleSubject, attrs: RuleAttrs): boolean {
    if (this.direct) {
      // in rule order, actions in table order: the same assignments the effect would make
      let matched = false;
      for (let i = 0; i < this.rules.length; i++) {
        const rule = this.rules[i];
        if (ruleMatches(rule, subject)) {
          matched = true;
          applyActions(rule, attrs);
        }
      }
      return matched;
    }
    if (++evaluation === Number.MAX_SAFE_INTEGER) evaluation = 1;
    const e = this.effectFor(subject);
    apply(e, attrs);
    return e.matched;
  }

  private index(i: number): void {
    const rule = this.rules[i];
    const key = rule.path ? rule.path.prefix : '';
    let node = this.root;
    for (let k = 0; k < key.length; k++) {
      const c = key.charCodeAt(k);
      if (node.next === null) node.next = new Map();
      let child = node.next.get(c);
      if (child === undefined) {
        child = new TrieNode();
        node.next.set(c, child);
      }
      node = child;
    }
    node.steps.push(i);
  }

  /** This ruleset's effect on `subject` in the current evaluation (computed once per evaluation). */
  private effectFor(subject: RuleSubject): Effect {
    const e = this.effect;
    if (this.stamp === evaluation) return e;
    e.set = 0;
    e.matched = false;
    if (this.linear) {
      for (let i = 0; i < this.rules.length; i++) this.run(i, subject, e);
      this.stamp = evaluation;
      return e;
    }
    // Candidate lists: the steps filed at every trie node along the name (each list ascending).
    const lists = this.lists;
    let k = 0;
    const name = subject.path;
    let node: TrieNode | undefined = this.root;
    for (let c = 0; ; c++) {
      if (node.steps.length > 0) lists[k++] = node.steps;
      if (c >= name.length || node.next === null) break;
      node = node.next.get(name.charCodeAt(c));
      if (node === undefined) break;
    }
    if (k === 1) {
      const only = lists[0];
      for (let j = 0; j < only.length; j++) this.run(only[j], subject, e);
    } else if (k > 1) {
      // Merge the k ascending lists (k is small: the nodes along one name that hold steps).
      const pos = this.pos;
      for (let j = 0; j < k; j++) pos[j] = 0;
      for (;;) {
        let best = -1;
        let bestIdx = 0x7fffffff;
        for (let j = 0; j < k; j++) {
          const l = lists[j];
          if (pos[j] < l.length && l[pos[j]] < bestIdx) {
            bestIdx = l[pos[j]];
            best = j;
          }
        }
        if (best < 0) break;
        pos[best]++;
        this.run(bestIdx, subject, e);
      }
    }
    this.stamp = evaluation;
    return e;
  }

  /** Runs rule `idx`: its conditions, its actions, then (within the depth) the ruleset it includes. */
  private run(idx: number, subject: RuleSubject, e: Effect): void {
    const rule = this.rules[idx];
    if (!ruleMatches(rule, subject)) return;
    e.matched = true;
    if (rule.hide) { e.hidden = true; e.set |= SET_HIDDEN; }
    if (rule.unhide) { e.hidden = false; e.set |= SET_HIDDEN; }
    if (rule.uid !== null) { e.uid = rule.uid; e.set |= SET_UID; }
    if (rule.gid !== null) { e.gid = rule.gid; e.set |= SET_GID; }
    if (rule.mode !== null) { e.mode = rule.mode; e.set |= SET_MODE; }
    if (rule.include !== null && this.depth > 0) {
      const sub = this.subs[idx] ?? (this.subs[idx] = this.source.plan(rule.include, this.depth - 1));
      const inner = sub.effectFor(subject);
      apply(inner, e);
      e.set |= inner.set;
    }
  }
}

/** Makes `e`'s assignments on `attrs` (an effect is attrs too: an include's effect merges in). */
function apply(e: Effect, attrs: RuleAttrs): void {
  const s = e.set;
  if (s & SET_HIDDEN) attrs.hidden = e.hidden;
  if (s & SET_UID) attrs.uid = e.uid;
  if (s & SET_GID) attrs.gid = e.gid;
  if (s & SET_MODE) attrs.mode = e.mode;
}
