import { applyActions, ruleMatches } from './match';
import type { CompiledRule, RuleAttrs, RuleSubject } from './types';

/**
 * A ruleset compiled for evaluation: its rules with includes expanded in place (to the include
 * depth), and a character trie over each step's literal path prefix, so a name is tested only
 * against steps whose prefix it starts with (plus the steps without a prefix). Results are
 * applied in rule order.
 *
 * An included rule runs only when the include rule that brought it in matched: each such step
 * names its `guard` (the index of that include step), whose result is recorded during the same
 * evaluation with a stamp, so nothing is allocated per evaluation.
 */

/** One rule in the flattened order. */
interface Step {
  readonly rule: CompiledRule;
  /** Index of the include step this one depends on, or -1. */
  readonly guard: number;
  /** Literal prefix every matching path starts with (the longer of its own and its guard's). */
  readonly key: string;
}

class TrieNode {
  next: Map<number, TrieNode> | null = null;
  steps: number[] = [];
}

/** Source of rules for flattening. */
export interface RuleSource {
  rules(rs: number): readonly CompiledRule[];
}

/** A compiled ruleset, valid for one ruleset version and include depth. */
export class Plan {
  private readonly steps: Step[] = [];
  private readonly root = new TrieNode();
  private readonly lists: number[][] = [];
  private readonly pos: number[] = [];
  private readonly stamp: Int32Array;
  private readonly ok: Uint8Array;
  private current = 0;

  /** Compiles ruleset `rs` of `source`, expanding includes `depth` levels deep. */
  constructor(source: RuleSource, rs: number, depth: number, readonly version: number) {
    this.flatten(source, rs, depth, -1);
    for (let i = 0; i < this.steps.length; i++) this.index(i);
    this.stamp = new Int32Array(this.steps.length);
    this.ok = new Uint8Array(this.steps.length);
  }

  /** Number of steps (rules after include expansion). */
  get size(): number {
    return this.steps.length;
  }

  private flatten(source: RuleSource, rs: number, depth: number, guard: number): void {
    const guardKey = guard >= 0 ? this.steps[guard].key : '';
    for (const rule of source.rules(rs)) {
      const own = rule.path ? rule.path.prefix : '';
      const at = this.steps.length;
      this.steps.push({ rule, guard, key: own.length >= guardKey.length ? own : guardKey });
      if (rule.include !== null && depth > 0) this.flatten(source, rule.include, depth - 1, at);
    }
  }

  private index(i: number): void {
    const key = this.steps[i].key;
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

  /** Runs the ruleset over `subject`, mutating `attrs`; true when any rule matched. */
  evaluate(subject: RuleSubject, attrs: RuleAttrs): boolean {
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
    if (k === 0) return false;

    if (++this.current === 0x7fffffff) {
      this.stamp.fill(0);
      this.current = 1;
    }
    let matched = false;
    if (k === 1) {
      const only = lists[0];
      for (let j = 0; j < only.length; j++) if (this.run(only[j], subject, attrs)) matched = true;
      return matched;
    }
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
      if (best < 0) return matched;
      pos[best]++;
      if (this.run(bestIdx, subject, attrs)) matched = true;
    }
  }

  /** Runs step `idx`: its guard, its conditions, its actions; records an include step's result. */
  private run(idx: number, subject: RuleSubject, attrs: RuleAttrs): boolean {
    const step = this.steps[idx];
    const rule = step.rule;
    const cur = this.current;
    let m = step.guard < 0 || (this.stamp[step.guard] === cur && this.ok[step.guard] === 1);
    if (m) m = ruleMatches(rule, subject);
    if (rule.include !== null) {
      this.stamp[idx] = cur;
      this.ok[idx] = m ? 1 : 0;
    }
    if (m) applyActions(rule, attrs);
    return m;
  }
}
