import { applyActions, ruleMatches } from './match';
import type { CompiledRule, RuleAttrs, RuleSubject } from './types';

/**
 * One ruleset compiled for evaluation at one include depth: its own rules, filed in a character
 * trie by their literal path prefix (chains of single children crossed in one comparison), so a
 * name is tested only against rules whose prefix it starts with (plus the rules without a
 * prefix). A small ruleset without includes is instead run in order as one compiled closure per
 * rule, as devfs_rules_apply would, without looking at which conditions and actions each has. An `include` is evaluated by reference — the
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

/**
 * A trie node: its children by character code in two parallel arrays, sorted by code (most nodes
 * have one child; a Map lookup per character cost more than the rest of an evaluation).
 */
class TrieNode {
  codes: number[] = [];
  kids: TrieNode[] = [];
  steps: number[] = [];
  /**
   * Set by `compress`: the characters of the single-child chain below this node (its nodes hold
   * no steps) and the node it leads to, so a walk crosses the chain in one comparison.
   */
  run = '';
  runEnd: TrieNode | undefined = undefined;

  /** The child for character code `c`, if any. */
  child(c: number): TrieNode | undefined {
    const codes = this.codes;
    let lo = 0;
    let hi = codes.length;
    if (hi === 1) return codes[0] === c ? this.kids[0] : undefined;
    if (hi <= 8) {
      for (; lo < hi; lo++) if (codes[lo] === c) return this.kids[lo];
      return undefined;
    }
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = codes[mid];
      if (m === c) return this.kids[mid];
      if (m < c) lo = mid + 1;
      else hi = mid;
    }
    return undefined;
  }

  /** Adds a child for `c` (absent), keeping the codes sorted. */
  add(c: number): TrieNode {
    let i = this.codes.length;
    while (i > 0 && this.codes[i - 1] > c) i--;
    const kid = new TrieNode();
    this.codes.splice(i, 0, c);
    this.kids.splice(i, 0, kid);
    return kid;
  }
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
  /**
   * Linear and without includes: the rules compiled to one closure each (conditions and actions
   * specialised at compile time), run in order by `evaluate`; undefined otherwise.
   */
  private readonly steps: readonly Step[] | undefined;
  /**
   * Plans of the included rulesets, by rule index, fetched on first use. Safe to keep: a change
   * to an included ruleset discards this plan too (the registry drops every includer's plan).
   */
  private readonly subs: (Plan | undefined)[] = [];

  /** Compiles ruleset `rs` of `source`; its includes are followed `depth` levels deep. */
  constructor(private readonly source: PlanSource, rs: number, private readonly depth: number, readonly version: number) {
    this.rules = source.rules(rs).slice();
    for (let i = 0; i < this.rules.length; i++) this.index(i);
    compress(this.root);
    this.linear = this.rules.length <= LINEAR_MAX;
    const steps = this.linear && this.rules.every((r) => r.include === null) ? this.rules.map(compileStep) : undefined;
    this.steps = steps;
    if (steps === undefined) this.evaluate = (subject, attrs) => this.runIndexed(subject, attrs);
    else if (steps.length === 1) this.evaluate = steps[0];
    else this.evaluate = (subject, attrs) => this.runSteps(subject, attrs);
  }

  /** Number of rules compiled into this plan (its own; included rulesets have their own plans). */
  get size(): number {
    return this.rules.length;
  }

  /**
   * Runs the ruleset over `subject`, mutating `attrs`; true when any rule matched. Chosen when the
   * plan is compiled: a one-rule ruleset is that rule's compiled step itself.
   */
  readonly evaluate: Step;

  /** A ruleset of compiled steps, run in rule order (the same assignments the effect would make). */
  private runSteps(subject: RuleSubject, attrs: RuleAttrs): boolean {
    const steps = this.steps!;
    let matched = false;
    for (let i = 0; i < steps.length; i++) if (steps[i](subject, attrs)) matched = true;
    return matched;
  }

  /** A ruleset evaluated through its trie and includes (see effectFor). */
  private runIndexed(subject: RuleSubject, attrs: RuleAttrs): boolean {
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
      node = node.child(c) ?? node.add(c);
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
    let c = 0;
    walk: for (;;) {
      if (node.steps.length > 0) lists[k++] = node.steps;
      const run = node.run;
      if (run !== '') {
        // a chain without steps: the name must hold all of it for anything deeper to match
        if (name.length - c < run.length) break;
        for (let j = 0; j < run.length; j++) if (name.charCodeAt(c + j) !== run.charCodeAt(j)) break walk;
        c += run.length;
        node = node.runEnd!;
        continue;
      }
      if (c >= name.length || node.codes.length === 0) break;
      node = node.child(name.charCodeAt(c++));
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

/** One rule without an include, compiled: applies its actions when its conditions match; true then. */
type Step = (subject: RuleSubject, attrs: RuleAttrs) => boolean;

/**
 * Compiles a rule (no include) to a Step: the usual rule — a path condition alone, one action —
 * becomes a closure that tests the path and makes that one assignment, with no per-evaluation
 * look at which conditions and actions the rule has; any other rule runs the generic match.
 */
function compileStep(rule: CompiledRule): Step {
  const act = compileActions(rule);
  const matcher = rule.path;
  if (rule.types !== 0 || matcher === null) {
    return (subject, attrs) => {
      if (!ruleMatches(rule, subject)) return false;
      act(attrs);
      return true;
    };
  }
  return (subject, attrs) => {
    const path = subject.path;
    if (path === '' || !matcher.test(path)) return false;
    act(attrs);
    return true;
  };
}

/** A rule's actions as one closure: a single assignment when the rule makes only one. */
function compileActions(rule: CompiledRule): (attrs: RuleAttrs) => void {
  const { uid, gid, mode } = rule;
  const count = (rule.hide ? 1 : 0) + (rule.unhide ? 1 : 0) + (uid !== null ? 1 : 0) + (gid !== null ? 1 : 0) + (mode !== null ? 1 : 0);
  if (count === 1) {
    if (mode !== null) return (attrs) => { attrs.mode = mode; };
    if (uid !== null) return (attrs) => { attrs.uid = uid; };
    if (gid !== null) return (attrs) => { attrs.gid = gid; };
    const hidden = rule.hide;
    return (attrs) => { attrs.hidden = hidden; };
  }
  return (attrs) => applyActions(rule, attrs);
}

/** Sets `run`/`runEnd` on every node that starts a single-child chain of step-less nodes. */
function compress(node: TrieNode): void {
  if (node.codes.length === 1) {
    let run = '';
    let end = node;
    do {
      run += String.fromCharCode(end.codes[0]);
      end = end.kids[0];
    } while (end.codes.length === 1 && end.steps.length === 0);
    node.run = run;
    node.runEnd = end;
    compress(end);
    return;
  }
  for (const kid of node.kids) compress(kid);
}

/** Makes `e`'s assignments on `attrs` (an effect is attrs too: an include's effect merges in). */
function apply(e: Effect, attrs: RuleAttrs): void {
  const s = e.set;
  if (s & SET_HIDDEN) attrs.hidden = e.hidden;
  if (s & SET_UID) attrs.uid = e.uid;
  if (s & SET_GID) attrs.gid = e.gid;
  if (s & SET_MODE) attrs.mode = e.mode;
}
