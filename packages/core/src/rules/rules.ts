import { devfsError } from '../errors';
import { Accounts } from '../accounts';
import { ruleError } from './location';
import { applyActions, ruleMatches } from './match';
import { Plan, PlanSource } from './plan';
import { arg } from '../validate';
import { MAX_RULE_NUMBER, formatRule, parseSpec } from './spec';
import { RuleStore } from './store';
import { Token, tokenizeLine } from './tokenize';
import type { CompiledRule, RuleAttrs, RuleSubject } from './types';

/** Options of a {@link Rules} registry. */
export interface RulesOptions {
  /** passwd(5) file for `user NAME` (default /etc/passwd). */
  passwdFile?: string;
  /** group(5) file for `group NAME` (default /etc/group). */
  groupFile?: string;
  /** Include depth, FreeBSD's vfs.devfs.rule_depth (default 1). */
  depth?: number;
  /** Receives what a change listener threw (default: a process warning); the change itself stands. */
  onListenerError?: (err: unknown) => void;
}

/** Called after a change with the rulesets whose evaluation may have changed. */
export type RulesChangeListener = (rulesets: number[]) => void;

const SECTION = /^\[\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(\d+)\s*\]\s*(?:#.*)?$/;
const MAX_DEPTH = 255;

/**
 * FreeBSD devfs rulesets: `devfs.rules` files (`load`), `devfs rule add/del/delset/show`,
 * ruleset names, and the evaluation mounts run when dirents appear (`evaluate`) or when
 * `devfs rule apply/applyset` re-runs rules.
 */
export class Rules {
  private store = RuleStore.create();
  private names = new Map<string, number>();
  private readonly versions = new Map<number, number>();
  private readonly plans = new Map<number, Plan>();
  private readonly listeners = new Set<RulesChangeListener>();
  private readonly accounts: Accounts;
  private readonly onListenerError: (err: unknown) => void;
  private counter = 0;
  private ruleDepth: number;
  /** The plan `evaluate` used last (a mount evaluates one ruleset again and again); -1: none. */
  private lastRs = -1;
  private lastPlan: Plan | undefined;
  private readonly planSource: PlanSource = {
    rules: (rs) => this.store.rules(rs),
    plan: (rs, depth) => this.plan(rs, depth),
  };

  /** A registry with no rulesets (load the standard ones with `loadStandardRules`). */
  constructor(opts: RulesOptions = {}) {
    arg.object(opts, 'options', 'rules');
    arg.optString(opts.passwdFile, 'passwdFile', 'rules', '');
    arg.optString(opts.groupFile, 'groupFile', 'rules', '');
    if (opts.onListenerError !== undefined) arg.fn(opts.onListenerError, 'onListenerError', 'rules');
    this.accounts = new Accounts(opts.passwdFile, opts.groupFile);
    this.ruleDepth = 1;
    this.onListenerError = opts.onListenerError ?? ((err) => {
      process.emitWarning(`devfs rules change listener threw: ${(err as Error)?.message ?? String(err)}`, 'DevfsRulesWarning');
    });
    if (opts.depth !== undefined) this.depth = opts.depth;
  }

  /** How many levels of `include` are followed (vfs.devfs.rule_depth; FreeBSD's default is 1). */
  get depth(): number {
    return this.ruleDepth;
  }

  set depth(value: number) {
    arg.int(value, 'include depth', 'rules.depth', 0, MAX_DEPTH);
    if (value === this.ruleDepth) return;
    this.ruleDepth = value;
    this.lastRs = -1;
    this.changed(new Set(this.store.list()));
  }

  /**
   * Loads a devfs.rules file: `[name=N]` sections (each one first empties ruleset N, as rc.subr
   * does) of `add ...` lines, `#` comments and blank lines. The whole text is checked before
   * anything changes: on any error nothing is loaded and the error names `source:line:column`.
   */
  load(text: string, source = '<string>'): void {
    const syscall = 'rules.load';
    arg.string(text, 'rules text', syscall);
    arg.string(source, 'source', syscall);
    const draft = this.store.clone();
    const names = new Map(this.names);
    let current: number | null = null;
    const lines = text.split('\n');
    for (let ln = 1; ln <= lines.length; ln++) {
      const line = lines[ln - 1];
      const trimmed = line.trim();
      if (trimmed === '' || trimmed.startsWith('#')) continue;
      const column = line.length - line.trimStart().length + 1;
      if (trimmed.startsWith('[')) {
        const m = SECTION.exec(trimmed);
        if (!m || Number(m[2]) > MAX_RULE_NUMBER) {
          throw ruleError('EINVAL', syscall, { source, line: ln, column }, 'bad section header, expected [name=N] with N in 0..65535', trimmed);
        }
        current = Number(m[2]);
        names.set(m[1], current);
        draft.removeAll(current);
        continue;
      }
      const tokens = tokenizeLine(line, ln, source, (n) => names.get(n), syscall);
      if (tokens.length === 0) continue;
      if (tokens[0].text !== 'add') {
        throw ruleError('EINVAL', syscall, { source, line: ln, column: tokens[0].column }, 'unknown command (expected add)', tokens[0].text);
      }
      if (current === null) {
        throw ruleError('EINVAL', syscall, { source, line: ln, column: tokens[0].column }, 'rule outside a [name=N] section', 'add');
      }
      const { rule, locs } = parseSpec(tokens.slice(1), { source, line: ln, syscall, accounts: this.accounts, endColumn: line.length + 1 });
      draft.insert(current, rule, locs, syscall);
    }
    this.store = draft;
    this.names = names;
    this.changed(draft.drainTouched());
  }

  /** `devfs rule -s RULESET add SPEC`: adds one rule and returns its number. */
  add(ruleset: number | string, spec: string, source = '<add>'): number {
    const syscall = 'rules.add';
    arg.ruleset(ruleset, syscall);
    arg.string(spec, 'rule', syscall);
    arg.string(source, 'source', syscall);
    const rs = this.resolve(ruleset);
    const tokens = this.tokens(spec, source, syscall);
    const { rule, locs } = parseSpec(tokens, { source, line: 1, syscall, accounts: this.accounts, endColumn: spec.length + 1 });
    const rnum = this.store.insert(rs, rule, locs, syscall);
    this.changed(this.store.drainTouched());
    return rnum;
  }

  /** `devfs rule -s RULESET del RNUM`: ENOENT when there is no such rule. */
  del(ruleset: number | string, rnum: number): void {
    arg.ruleset(ruleset, 'rules.del');
    arg.int(rnum, 'rule number', 'rules.del', 0, MAX_RULE_NUMBER);
    this.store.remove(this.resolve(ruleset), rnum, 'rules.del');
    this.changed(this.store.drainTouched());
  }

  /** `devfs rule -s RULESET delset`: removes every rule of the ruleset. */
  delset(ruleset: number | string): void {
    this.store.removeAll(this.resolve(ruleset));
    this.changed(this.store.drainTouched());
  }

  /** `devfs rule -s RULESET show`: one canonical line per rule, each valid `add` input. */
  show(ruleset: number | string): string[] {
    return this.store.rules(this.resolve(ruleset)).map((r) => formatRule(r, this.accounts));
  }

  /** Ruleset number of `N`, `"N"`, `"$name"` or `"name"` (EINVAL out of range, ESRCH unknown name). */
  resolve(ruleset: number | string): number {
    arg.ruleset(ruleset, 'rules.resolve');
    if (typeof ruleset === 'number') return ruleset;
    const s = ruleset.trim();
    if (/^\d+$/.test(s)) return this.resolve(Number(s));
    const name = s.startsWith('$') ? s.slice(1).replace(/^\{(.*)\}$/, '$1') : s;
    const n = this.names.get(name);
    if (n === undefined) throw devfsError('ESRCH', 'rules.resolve', ruleset, 'no ruleset of that name');
    return n;
  }

  /** Numbers of the rulesets that exist (hold rules, or are included or retained), ascending. */
  list(): number[] {
    return this.store.list();
  }

  /** The name last given to ruleset `n` by a `[name=N]` section, if any. */
  name(n: number): string | undefined {
    arg.int(n, 'ruleset', 'rules.name', 0, MAX_RULE_NUMBER);
    let found: string | undefined;
    for (const [name, num] of this.names) if (num === n) found = name;
    return found;
  }

  /** True when the ruleset exists (holds rules, or is included or retained). */
  has(ruleset: number | string): boolean {
    return this.store.exists(this.resolve(ruleset));
  }

  /**
   * Takes a reference on a ruleset, as a mount using it does (`devfs ruleset N`): a referenced
   * ruleset exists, so it can be included, even with no rules. Returns the release function.
   */
  retain(ruleset: number | string): () => void {
    const rs = this.resolve(ruleset);
    this.store.ref(rs, 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.store.ref(rs, -1);
    };
  }

  /** Parses one rule spec for `devfs rule apply` (not stored; an include must exist: ESRCH). */
  compileSpec(spec: string, source = '<apply>'): CompiledRule {
    const syscall = 'rules.apply';
    arg.string(spec, 'rule', syscall);
    arg.string(source, 'source', syscall);
    const tokens = this.tokens(spec, source, syscall);
    const { rule, locs } = parseSpec(tokens, { source, line: 1, syscall, accounts: this.accounts, endColumn: spec.length + 1 });
    if (rule.include !== null && !this.store.exists(rule.include)) {
      throw ruleError('ESRCH', syscall, locs.include ?? locs.start, `included ruleset ${rule.include} does not exist`, String(rule.include));
    }
    return rule;
  }

  /** Runs one compiled rule (and, within the include depth, the ruleset it includes) over `subject`. */
  evaluateRule(rule: CompiledRule, subject: RuleSubject, attrs: RuleAttrs): boolean {
    arg.object(rule, 'rule', 'rules.evaluate');
    arg.object(subject, 'subject', 'rules.evaluate');
    arg.object(attrs, 'attrs', 'rules.evaluate');
    if (!ruleMatches(rule, subject)) return false;
    applyActions(rule, attrs);
    if (rule.include !== null && this.ruleDepth > 0) this.plan(rule.include, this.ruleDepth - 1).evaluate(subject, attrs);
    return true;
  }

  /** Runs ruleset `ruleset` over `subject` in rule order, mutating `attrs`; true when any rule matched. */
  evaluate(ruleset: number, subject: RuleSubject, attrs: RuleAttrs): boolean {
    arg.object(subject, 'subject', 'rules.evaluate');
    arg.object(attrs, 'attrs', 'rules.evaluate');
    if (ruleset !== this.lastRs) {
      // the ruleset is checked when it differs from the last one (which was checked then)
      arg.int(ruleset, 'ruleset', 'rules.evaluate', 0, MAX_RULE_NUMBER);
      if (ruleset === 0) return false;
      this.lastPlan = this.plan(ruleset, this.ruleDepth);
      this.lastRs = ruleset;
    }
    return this.lastPlan!.evaluate(subject, attrs);
  }

  /** A number that changes whenever the ruleset, or one it includes, changes (for caching). */
  version(ruleset: number): number {
    arg.int(ruleset, 'ruleset', 'rules.version', 0, MAX_RULE_NUMBER);
    return this.versions.get(ruleset) ?? 0;
  }

  /** Subscribes to changes; returns the unsubscribe function. */
  onChange(cb: RulesChangeListener): () => void {
    arg.fn(cb, 'listener', 'rules.onChange');
    this.listeners.add(cb);
    return () => {
      this.listeners.delete(cb);
    };
  }

  private tokens(spec: string, source: string, syscall: string): Token[] {
    const tokens = tokenizeLine(spec, 1, source, (n) => this.names.get(n), syscall);
    return tokens.length > 0 && tokens[0].text === 'add' ? tokens.slice(1) : tokens;
  }

  private plan(rs: number, depth: number): Plan {
    const key = rs * (MAX_DEPTH + 1) + depth;
    const version = this.versions.get(rs) ?? 0;
    let plan = this.plans.get(key);
    if (plan === undefined || plan.version !== version) {
      plan = new Plan(this.planSource, rs, depth, version);
      this.plans.set(key, plan);
    }
    return plan;
  }

  private changed(touched: Set<number>): void {
    if (touched.size === 0) return;
    this.lastRs = -1;
    this.lastPlan = undefined;
    const affected = this.store.includersOf(touched);
    const counter = ++this.counter;
    for (const rs of affected) this.versions.set(rs, counter);
    for (const key of this.plans.keys()) {
      if (affected.has(Math.floor(key / (MAX_DEPTH + 1)))) this.plans.delete(key);
    }
    const list = [...affected].sort((a, b) => a - b);
    for (const cb of [...this.listeners]) {
      try {
        cb(list);
      } catch (err) {
        this.onListenerError(err);
      }
    }
  }
}
