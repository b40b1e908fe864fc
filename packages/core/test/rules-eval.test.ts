/**
 * Rule evaluation (plan.ts: compiled per-rule closures for small rulesets, the prefix trie for
 * larger ones; fnmatch's `literal*` fast path) against the model test's devfs_rules_apply
 * (model/rulesets.ts: every rule in order, its own glob matcher): random rulesets of every size
 * around the linear/trie switch, every condition and action kind, and names that share
 * prefixes, over devices, directories and links.
 */
import fc from 'fast-check';
import { D_DISK, D_MEM, D_TAPE, D_TTY } from '../src/constants';
import { Rules, compilePattern, RuleAttrs, RuleSubject } from '../src/rules';
import { ModelRule, evaluateRules } from './model/rulesets';

const TYPE_WORDS: [number, string][] = [[D_DISK, 'disk'], [D_MEM, 'mem'], [D_TAPE, 'tape'], [D_TTY, 'tty']];
/** Literal characters and `*` only: what the model's own matcher (globMatch) knows. */
const PATTERNS = ['*', 'tty*', 'ttyp*', 'pts/*', 'pts/1*', 'pts/1', 'a', 'a/b', 'a/*', '*/*', 'x*y', 'pts*', 't*y*', '*0'];
const NAMES = ['tty', 'ttyp0', 'ttyq1', 'tty/x', 'pts', 'pts/1', 'pts/12', 'pts/1/2', 'md0', 'a', 'a/b', 'a/c', 'b', 'xy', 'xay', 'ptsx'];

const ACTIONS = ['hide', 'unhide', 'user', 'group', 'mode'] as const;

/** A random rule as the model holds it, with its `devfs rule add` text; often a single action. */
const rule: fc.Arbitrary<ModelRule> = fc.record({
  path: fc.option(fc.constantFrom(...PATTERNS), { nil: undefined }),
  type: fc.option(fc.constantFrom(D_TTY, D_DISK, D_TAPE), { nil: undefined, freq: 2 }),
  actions: fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(...ACTIONS).map((a) => [a]) },
    { weight: 1, arbitrary: fc.subarray([...ACTIONS], { minLength: 1 }) },
  ),
  user: fc.constantFrom(0, 7),
  group: fc.constantFrom(0, 5),
  mode: fc.constantFrom(0o600, 0o666, 0),
}).map(({ path, type, actions, user, group, mode }) => {
  const r: ModelRule = { spec: '', path, type };
  const w: string[] = [];
  if (path !== undefined) w.push('path', `'${path}'`);
  if (type !== undefined) w.push('type', TYPE_WORDS.find(([bit]) => bit === type)![1]);
  if (actions.includes('hide')) { r.hide = true; w.push('hide'); }
  if (actions.includes('unhide')) { r.unhide = true; w.push('unhide'); }
  if (actions.includes('user')) { r.user = user; w.push('user', String(user)); }
  if (actions.includes('group')) { r.group = group; w.push('group', String(group)); }
  if (actions.includes('mode')) { r.mode = mode; w.push('mode', mode.toString(8)); }
  r.spec = w.join(' ');
  return r;
});

const subject: fc.Arbitrary<RuleSubject> = fc.record({
  path: fc.constantFrom(...NAMES),
  kind: fc.constantFrom('dev' as const, 'dev' as const, 'dir' as const, 'link' as const),
  dflags: fc.constantFrom(0, D_TTY, D_DISK, D_MEM, D_TAPE),
});

describe('rule evaluation equals devfs_rules_apply in rule order', () => {
  test('random rulesets of 1..12 rules over random subjects', () => {
    fc.assert(fc.property(fc.array(rule, { minLength: 1, maxLength: 12 }), fc.array(subject, { minLength: 1, maxLength: 8 }), (rules, subs) => {
      const r = new Rules();
      rules.forEach((m, i) => r.add(7, `${i + 1} ${m.spec}`));
      for (const sub of subs) {
        const got: RuleAttrs = { hidden: false, uid: 1, gid: 1, mode: 0o644 };
        const want: RuleAttrs = { ...got };
        expect(r.evaluate(7, sub, got)).toBe(evaluateRules(rules, sub, want));
        expect(got).toEqual(want);
      }
    }), { numRuns: 400 });
  });

  test('`literal*` patterns match as fnmatch does: the literal, then anything but a /', () => {
    const star = compilePattern('pts/1*');
    expect(['pts/1', 'pts/12', 'pts/1x'].map((n) => star.test(n))).toEqual([true, true, true]);
    expect(['pts/', 'pts/2', 'pts/1/2', 'pts/12/', 'xpts/1', 'pts'].map((n) => star.test(n))).toEqual([false, false, false, false, false, false]);
    const all = compilePattern('*');
    expect(['', 'a', 'abc'].map((n) => all.test(n))).toEqual([true, true, true]);
    expect(['a/b', '/'].map((n) => all.test(n))).toEqual([false, false]);
    expect(compilePattern('\\*x*').test('*xy')).toBe(true); // an escaped * is part of the literal
    expect(compilePattern('\\*x*').test('axy')).toBe(false);
  });
});
