/**
 * Rule evaluation (plan.ts: compiled per-rule closures for small rulesets, the prefix trie for
 * larger ones; fnmatch's `literal*` fast path) against FreeBSD's devfs_rules_apply written out
 * plainly: every rule in order, conditions then actions (hide, unhide, user, group, mode). Random
 * rulesets of every size around the linear/trie switch, every condition and action kind, and
 * names that share prefixes, over devices, directories and links.
 */
import fc from 'fast-check';
import { D_DISK, D_MEM, D_TAPE, D_TTY, D_TYPEMASK } from '../src/constants';
import { Rules, compilePattern, RuleAttrs, RuleSubject } from '../src/rules';

interface Spec { pattern: string | null; types: number; hide: boolean; unhide: boolean; uid: number | null; gid: number | null; mode: number | null }

const TYPE_WORDS: [number, string][] = [[D_DISK, 'disk'], [D_MEM, 'mem'], [D_TAPE, 'tape'], [D_TTY, 'tty']];
const PATTERNS = ['*', 'tty*', 'ttyp*', 'pts/*', 'pts/1*', 'pts/?', 'md[0-9]', 'a', 'a/b', 'a/*', '*/*', 'tty[pq]?', 'x*y', '\\*', 'pts*'];
const NAMES = ['', 'tty', 'ttyp0', 'ttyq1', 'tty/x', 'pts', 'pts/1', 'pts/12', 'pts/1/2', 'md0', 'mdx', 'a', 'a/b', 'a/c', 'b', 'xy', 'xay', '*', 'ptsx'];

const spec: fc.Arbitrary<Spec> = fc.record({
  pattern: fc.option(fc.constantFrom(...PATTERNS), { nil: null }),
  types: fc.constantFrom(0, 0, D_TTY, D_DISK | D_MEM, D_TAPE),
  hide: fc.boolean(),
  unhide: fc.boolean(),
  uid: fc.option(fc.constantFrom(0, 7), { nil: null }),
  gid: fc.option(fc.constantFrom(0, 5), { nil: null }),
  mode: fc.option(fc.constantFrom(0o600, 0o666, 0), { nil: null }),
}).filter((s) => s.hide || s.unhide || s.uid !== null || s.gid !== null || s.mode !== null);

const subject: fc.Arbitrary<RuleSubject> = fc.record({
  path: fc.constantFrom(...NAMES),
  kind: fc.constantFrom('dev' as const, 'dev' as const, 'dir' as const, 'link' as const),
  dflags: fc.constantFrom(0, D_TTY, D_DISK, D_MEM | 0x10000, D_TAPE),
});

/** The `devfs rule add` text of a spec. */
function text(s: Spec): string {
  const w: string[] = [];
  if (s.pattern !== null) w.push('path', `'${s.pattern}'`);
  for (const [bit, word] of TYPE_WORDS) if (s.types & bit) w.push('type', word);
  if (s.hide) w.push('hide');
  if (s.unhide) w.push('unhide');
  if (s.uid !== null) w.push('user', String(s.uid));
  if (s.gid !== null) w.push('group', String(s.gid));
  if (s.mode !== null) w.push('mode', s.mode.toString(8));
  return w.join(' ');
}

/** devfs_rules_apply, plainly: every rule in order. */
function reference(specs: Spec[], sub: RuleSubject, a: RuleAttrs): boolean {
  let matched = false;
  for (const s of specs) {
    if (s.types !== 0 && (sub.kind !== 'dev' || (sub.dflags & D_TYPEMASK & s.types) === 0)) continue;
    if (s.pattern !== null && (sub.path === '' || !compilePattern(s.pattern).test(sub.path))) continue;
    matched = true;
    if (s.hide) a.hidden = true;
    if (s.unhide) a.hidden = false;
    if (s.uid !== null) a.uid = s.uid;
    if (s.gid !== null) a.gid = s.gid;
    if (s.mode !== null) a.mode = s.mode;
  }
  return matched;
}

describe('rule evaluation equals devfs_rules_apply in rule order', () => {
  test('random rulesets of 1..12 rules over random subjects', () => {
    fc.assert(fc.property(fc.array(spec, { minLength: 1, maxLength: 12 }), fc.array(subject, { minLength: 1, maxLength: 8 }), (specs, subs) => {
      const r = new Rules();
      specs.forEach((s, i) => r.add(7, `${i + 1} ${text(s)}`));
      for (const sub of subs) {
        const got: RuleAttrs = { hidden: false, uid: 1, gid: 1, mode: 0o644 };
        const want: RuleAttrs = { ...got };
        expect(r.evaluate(7, sub, got)).toBe(reference(specs, sub, want));
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
