import { D_DISK, D_MEM, D_TAPE, D_TRACKCLOSE, D_TTY } from '../src/constants';
import { Rules, loadStandardRules, compilePattern, RuleAttrs, RuleSubject } from '../src/rules';

const dev = (path: string, dflags = 0): RuleSubject => ({ path, kind: 'dev', dflags });
const fresh = (): RuleAttrs => ({ hidden: false, uid: 0, gid: 0, mode: 0o600 });

/** Evaluates `ruleset` over `subject` from fresh attributes; returns the attributes and whether a rule matched. */
function run(r: Rules, ruleset: number, subject: RuleSubject): RuleAttrs & { matched: boolean } {
  const a = fresh();
  const matched = r.evaluate(ruleset, subject, a);
  return { ...a, matched };
}

/** The kernel of the jail test: name → d_flags. */
const DEVICES: [string, number][] = [
  ['null', 0], ['zero', 0], ['random', 0], ['urandom', 0], ['ptmx', D_TTY], ['pts/0', D_TTY | D_TRACKCLOSE],
  ['md0', D_DISK], ['tap0', 0], ['mem', D_MEM], ['kmem', D_MEM],
];

describe('standard rulesets over a device list', () => {
  const r = new Rules();
  loadStandardRules(r);

  test('devfsrules_jail (4) shows exactly null zero random urandom ptmx pts/0 (and the pts directory)', () => {
    const visible = DEVICES.filter(([name, fl]) => !run(r, 4, dev(name, fl)).hidden).map(([n]) => n);
    expect(visible).toEqual(['null', 'zero', 'random', 'urandom', 'ptmx', 'pts/0']);
    expect(run(r, 4, { path: 'pts', kind: 'dir', dflags: 0 }).hidden).toBe(false);
    expect(run(r, 4, { path: 'gpt', kind: 'dir', dflags: 0 }).hidden).toBe(true);
    expect(run(r, 4, dev('fuse')).hidden).toBe(false);
    expect(run(r, 4, dev('pf')).hidden).toBe(true);
    expect(run(r, 4, dev('ttyp3', D_TTY)).hidden).toBe(false);
    expect(run(r, 4, dev('ttyv0', D_TTY)).hidden).toBe(true);
    // Every subject matched something (ruleset 1 hides everything).
    expect(DEVICES.every(([name, fl]) => run(r, 4, dev(name, fl)).matched)).toBe(true);
  });

  test('devfsrules_jail_vnet (5) adds pf, and gets fuse/zfs through its one-level include of 4', () => {
    const visible = [...DEVICES, ['pf', 0] as [string, number], ['zfs', 0] as [string, number]]
      .filter(([name, fl]) => !run(r, 5, dev(name, fl)).hidden).map(([n]) => n);
    expect(visible).toEqual(['null', 'zero', 'random', 'urandom', 'ptmx', 'pts/0', 'pf', 'zfs']);
  });

  test('devfsrules_unhide_basic alone matches only its names', () => {
    expect(run(r, 2, dev('null')).matched).toBe(true);
    expect(run(r, 2, dev('md0', D_DISK)).matched).toBe(false);
    expect(run(r, 2, dev('nullx')).matched).toBe(false);
  });
});

describe('rule semantics', () => {
  test('rules run in rule-number order, not insertion order', () => {
    const r = new Rules();
    r.add(2, '200 path tty* mode 600');
    r.add(2, '100 path tty* mode 666');
    expect(run(r, 2, dev('ttyv0')).mode).toBe(0o600);
    r.add(2, '300 path ttyv* mode 640');
    expect(run(r, 2, dev('ttyv0')).mode).toBe(0o640);
    expect(run(r, 2, dev('ttyu0')).mode).toBe(0o600);
  });

  test('hide and unhide in one rule: unhide wins, whichever order they are written in', () => {
    const r = new Rules();
    r.add(2, 'path a hide unhide');
    r.add(2, 'path b unhide hide');
    r.add(3, 'hide');
    r.add(3, 'path c hide unhide');
    expect(run(r, 2, dev('a')).hidden).toBe(false);
    expect(run(r, 2, dev('b')).hidden).toBe(false);
    expect(run(r, 3, dev('c')).hidden).toBe(false);
    expect(run(r, 3, dev('d')).hidden).toBe(true);
  });

  test('user, group and mode actions; attrs untouched and false when nothing matches', () => {
    const r = new Rules();
    r.add(2, 'path pts/* user 1000 group 5 mode 620');
    expect(run(r, 2, dev('pts/4', D_TTY))).toEqual({ hidden: false, uid: 1000, gid: 5, mode: 0o620, matched: true });
    expect(run(r, 2, dev('pts'))).toEqual({ ...fresh(), matched: false });
    const sentinel = { hidden: false, uid: -1, gid: -1, mode: -1 };
    r.evaluate(2, dev('pts/1'), sentinel);
    expect(sentinel).toEqual({ hidden: false, uid: 1000, gid: 5, mode: 0o620 });
  });

  test('a rule without conditions matches devices, directories and links; a path never matches the root', () => {
    const r = new Rules();
    r.add(2, 'mode 700');
    for (const kind of ['dev', 'dir', 'link'] as const) {
      expect(run(r, 2, { path: 'x', kind, dflags: 0 }).mode).toBe(0o700);
    }
    expect(run(r, 2, { path: '', kind: 'dir', dflags: 0 }).matched).toBe(true);
    r.add(3, "path '*' hide");
    expect(run(r, 3, { path: '', kind: 'dir', dflags: 0 }).matched).toBe(false);
    expect(run(r, 3, { path: 'x', kind: 'link', dflags: 0 }).hidden).toBe(true);
  });

  test('type conditions match d_flags type bits, OR together, AND with path, and never match links or directories', () => {
    const r = new Rules();
    r.add(2, 'type tty hide');
    r.add(3, 'type disk type tape hide');
    r.add(4, 'type mem path k* hide');
    expect(run(r, 2, dev('ttyv0', D_TTY | D_TRACKCLOSE)).hidden).toBe(true);
    expect(run(r, 2, dev('md0', D_DISK)).hidden).toBe(false);
    expect(run(r, 2, { path: 'ttyv0', kind: 'link', dflags: D_TTY }).matched).toBe(false);
    expect(run(r, 2, { path: 'pts', kind: 'dir', dflags: D_TTY }).matched).toBe(false);
    expect(run(r, 3, dev('md0', D_DISK)).hidden).toBe(true);
    expect(run(r, 3, dev('sa0', D_TAPE)).hidden).toBe(true);
    expect(run(r, 3, dev('mem', D_MEM)).matched).toBe(false);
    expect(run(r, 4, dev('kmem', D_MEM)).hidden).toBe(true);
    expect(run(r, 4, dev('mem', D_MEM)).matched).toBe(false);
    expect(run(r, 4, dev('kbd', 0)).matched).toBe(false);
  });

  test('FNM_PATHNAME in rules: pts* does not reach pts/0, pts/* does', () => {
    const r = new Rules();
    r.add(2, 'path pts* hide');
    r.add(3, 'path pts/* hide');
    expect(run(r, 2, dev('pts/0')).matched).toBe(false);
    expect(run(r, 2, { path: 'pts', kind: 'dir', dflags: 0 }).hidden).toBe(true);
    expect(run(r, 3, dev('pts/0')).hidden).toBe(true);
    expect(run(r, 3, dev('pts/0/x')).matched).toBe(false);
  });
});

describe('includes', () => {
  test('an include runs the included ruleset in place, only when the include rule itself matches', () => {
    const r = new Rules();
    r.add(10, 'path x mode 644');
    r.add(2, '100 mode 600');
    r.add(2, '200 path x* include 10');
    r.add(2, '300 path x user 7');
    expect(run(r, 2, dev('x'))).toMatchObject({ mode: 0o644, uid: 7 });
    r.add(2, '150 path x mode 640');
    expect(run(r, 2, dev('x')).mode).toBe(0o644); // 150 then the include at 200
    r.add(3, 'path y* include 10');
    expect(run(r, 3, dev('x')).matched).toBe(false); // include rule did not match: 10 never ran
  });

  test('includes nest one level (vfs.devfs.rule_depth=1): deeper includes are skipped, not errors', () => {
    const r = new Rules();
    r.add(12, 'path deep hide');
    r.add(11, 'include 12');
    r.add(11, 'path mid hide');
    r.add(10, 'include 11');
    expect(run(r, 10, dev('mid')).hidden).toBe(true);
    expect(run(r, 10, dev('deep')).hidden).toBe(false); // 12 is two levels down from 10
    expect(run(r, 10, dev('deep')).matched).toBe(true); // the include rules themselves matched
    expect(run(r, 11, dev('deep')).hidden).toBe(true); // one level down from 11
    const v = r.version(10);
    r.depth = 2;
    expect(r.version(10)).toBeGreaterThan(v);
    expect(run(r, 10, dev('deep')).hidden).toBe(true);
    r.depth = 0;
    expect(run(r, 10, dev('mid')).hidden).toBe(false);
    expect(() => (r.depth = -1)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });

  test('an include cycle is refused (ELOOP) at add time, so evaluation can never loop', () => {
    const r = new Rules();
    r.add(2, 'hide');
    r.add(3, 'include 2');
    r.add(4, 'include 3');
    expect(() => r.add(2, 'include 4')).toThrow(expect.objectContaining({ code: 'ELOOP' }));
    expect(() => r.add(2, 'include 2')).toThrow(expect.objectContaining({ code: 'ELOOP' }));
    r.depth = 255;
    expect(run(r, 4, dev('a')).hidden).toBe(true);
  });

  test('an included ruleset keeps existing while included, even when emptied; retain() holds one too', () => {
    const r = new Rules();
    r.add(2, 'path a hide');
    r.add(3, 'include 2');
    r.delset(2);
    expect(r.has(2)).toBe(true);
    expect(r.list()).toEqual([2, 3]);
    r.add(4, 'include 2'); // still includable
    r.delset(3);
    r.delset(4);
    expect(r.has(2)).toBe(false);
    expect(() => r.add(5, 'include 2')).toThrow(expect.objectContaining({ code: 'ESRCH' }));
    const release = r.retain(2);
    expect(r.has(2)).toBe(true);
    r.add(5, 'include 2');
    release();
    release(); // idempotent
    expect(r.has(2)).toBe(true); // still included by 5
  });
});

describe('versions and change notification', () => {
  test('a change bumps the ruleset and every ruleset that includes it, and nothing else', () => {
    const r = new Rules();
    loadStandardRules(r);
    const before = [1, 2, 3, 4, 5].map((n) => r.version(n));
    const calls: number[][] = [];
    r.onChange((c) => calls.push(c));
    r.add(3, 'path ttyu* unhide');
    const after = [1, 2, 3, 4, 5].map((n) => r.version(n));
    expect(after[0]).toBe(before[0]);
    expect(after[1]).toBe(before[1]);
    expect(after[2]).toBeGreaterThan(before[2]);
    expect(after[3]).toBeGreaterThan(before[3]);
    expect(after[4]).toBeGreaterThan(before[4]);
    expect(calls).toEqual([[3, 4, 5]]);
    expect(run(r, 4, dev('ttyu0')).hidden).toBe(false); // the cached plan was rebuilt
    r.del(3, 2500);
    expect(run(r, 4, dev('ttyu0')).hidden).toBe(true);
    expect(calls[1]).toEqual([3, 4, 5]);
  });

  test('a throwing listener does not break the change nor later listeners; the error is reported', () => {
    const reported: unknown[] = [];
    const r = new Rules({ onListenerError: (err) => reported.push(err) });
    const seen: number[][] = [];
    const off = r.onChange(() => {
      throw new Error('boom');
    });
    r.onChange((c) => seen.push(c));
    expect(r.add(2, 'hide')).toBe(100);
    expect(r.show(2)).toEqual(['100 hide']);
    expect(seen).toEqual([[2]]);
    expect(reported.map((e) => (e as Error).message)).toEqual(['boom']);
    off();
    r.add(2, 'unhide');
    expect(seen).toEqual([[2], [2]]);
    expect(reported.length).toBe(1);
  });
});

describe('one-off rules (devfs rule apply)', () => {
  test('compileSpec builds a rule that is not stored; evaluateRule applies it and its include', () => {
    const r = new Rules();
    loadStandardRules(r);
    const shown = r.show(4);
    const hide = r.compileSpec('path md* hide');
    expect(r.evaluateRule(hide, dev('md0', D_DISK), fresh())).toBe(true);
    const a = fresh();
    expect(r.evaluateRule(hide, dev('null'), a)).toBe(false);
    expect(a).toEqual(fresh());
    const inc = r.compileSpec('include $devfsrules_jail');
    const b = fresh();
    r.evaluateRule(inc, dev('md0', D_DISK), b);
    expect(b.hidden).toBe(false); // jail's own rules ran, its includes (depth) did not
    const c = fresh();
    r.evaluateRule(r.compileSpec('include 1'), dev('md0', D_DISK), c);
    expect(c.hidden).toBe(true);
    expect(r.show(4)).toEqual(shown);
    const e = (() => {
      try {
        r.compileSpec('path x include 99');
      } catch (err) {
        return err as { code: string; message: string };
      }
      return undefined;
    })();
    expect(e?.code).toBe('ESRCH');
    expect(e?.message).toContain("<apply>:1:16: included ruleset 99 does not exist '99'");
  });
});

describe('the prefix index gives exactly what a linear scan gives', () => {
  /** A tiny deterministic PRNG so failures reproduce. */
  function rng(seed: number): () => number {
    let s = seed >>> 0;
    return () => {
      s = (s * 1664525 + 1013904223) >>> 0;
      return s / 0x100000000;
    };
  }

  test('random rulesets with includes over random names', () => {
    const rand = rng(12345);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
    const atoms = ['a', 'b', 'ab', 'p', 'pt', 'pts', '/', '*', '?', '[ab]', '[!a]', '0', '1'];
    const pattern = (): string => Array.from({ length: 1 + Math.floor(rand() * 4) }, () => pick(atoms)).join('');
    const nameAtoms = ['a', 'b', 'p', 't', 's', '/', '0', '1'];
    const name = (): string => Array.from({ length: 1 + Math.floor(rand() * 6) }, () => pick(nameAtoms)).join('');

    const r = new Rules();
    type Naive = { pattern: ReturnType<typeof compilePattern> | null; types: number; uid: number | null; hide: boolean; unhide: boolean; include: number | null };
    const model = new Map<number, Naive[]>();
    for (const rs of [3, 2, 1]) {
      const list: Naive[] = [];
      for (let i = 0; i < 40; i++) {
        const n: Naive = {
          pattern: rand() < 0.85 ? compilePattern(pattern()) : null,
          types: rand() < 0.2 ? pick([D_TTY, D_DISK]) : 0,
          uid: rand() < 0.5 ? Math.floor(rand() * 50) : null,
          hide: rand() < 0.3, unhide: rand() < 0.3,
          include: rs < 3 && rand() < 0.3 ? pick([rs + 1, 3]) : null,
        };
        let spec = `${(i + 1) * 10}`;
        if (n.types) spec += n.types === D_TTY ? ' type tty' : ' type disk';
        if (n.pattern !== null) spec += ` path '${n.pattern.source}'`;
        if (n.hide) spec += ' hide';
        if (n.unhide) spec += ' unhide';
        if (n.uid !== null) spec += ` user ${n.uid}`;
        if (n.include !== null) spec += ` include ${n.include}`;
        r.add(rs, spec);
        list.push(n);
      }
      model.set(rs, list);
    }

    const naive = (rs: number, s: RuleSubject, a: RuleAttrs, depth: number): boolean => {
      let matched = false;
      for (const n of model.get(rs) ?? []) {
        if (n.types && (s.kind !== 'dev' || (s.dflags & n.types) === 0)) continue;
        if (n.pattern !== null && (s.path === '' || !n.pattern.test(s.path))) continue;
        matched = true;
        if (n.hide) a.hidden = true;
        if (n.unhide) a.hidden = false;
        if (n.uid !== null) a.uid = n.uid;
        if (n.include !== null && depth > 0) naive(n.include, s, a, depth - 1);
      }
      return matched;
    };

    let compared = 0;
    let matchedCount = 0;
    const mismatches: unknown[] = [];
    for (const depth of [1, 2]) {
      r.depth = depth;
      for (let i = 0; i < 1500; i++) {
        const s: RuleSubject = { path: name(), kind: pick(['dev', 'dev', 'dir', 'link'] as const), dflags: pick([0, D_TTY, D_DISK]) };
        for (const rs of [1, 2, 3]) {
          const a = { hidden: false, uid: -1, gid: -1, mode: -1 };
          const b = { hidden: false, uid: -1, gid: -1, mode: -1 };
          const ma = r.evaluate(rs, s, a);
          const mb = naive(rs, s, b, depth);
          if (ma !== mb || a.hidden !== b.hidden || a.uid !== b.uid) mismatches.push({ depth, rs, s, got: [ma, a], want: [mb, b] });
          compared++;
          if (ma) matchedCount++;
        }
      }
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
    expect(compared).toBe(9000);
    expect(matchedCount).toBeGreaterThan(1000); // the comparison exercised real matches
  });
});

describe('includes by reference (issue 14)', () => {
  /** A diamond `levels` deep: ruleset i includes i+1 twice (two rules); the last sets a mode. */
  function diamond(levels: number): Rules {
    const r = new Rules({ depth: 255 });
    const last = levels + 1;
    r.add(last, 'path a* mode 640');
    for (let i = levels; i >= 1; i--) {
      r.add(i, `path a* user ${i} include ${i + 1}`);
      r.add(i, `path a* group ${i} include ${i + 1}`);
    }
    return r;
  }

  test('a 24-deep diamond of includes compiles and evaluates in steps linear in its size', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const match = require('../src/rules/match') as typeof import('../src/rules/match');
    const spy = jest.spyOn(match, 'ruleMatches');
    try {
      const r = diamond(24);
      const a = fresh();
      expect(r.evaluate(1, dev('ab'), a)).toBe(true);
      // a rule's own actions run before its include, so the deepest level's user and group win
      expect(a).toEqual({ hidden: false, uid: 24, gid: 24, mode: 0o640 });
      // 2 rules per level + 1, each tested once per evaluation (the old expansion made 2^25 steps)
      expect(spy.mock.calls.length).toBeLessThanOrEqual(2 * 24 + 1);
      spy.mockClear();
      expect(run(r, 1, dev('zz')).matched).toBe(false);
      expect(spy.mock.calls.length).toBeLessThanOrEqual(2);
    } finally {
      spy.mockRestore();
    }
  });

  test('a shared ruleset included twice applies its effect at each include, in order', () => {
    const r = new Rules({ depth: 3 });
    r.add(3, 'path x mode 600');
    r.add(2, 'path x include 3');
    r.add(1, '100 path x include 2');
    r.add(1, '200 path x mode 644');
    r.add(1, '300 path x include 2');
    expect(run(r, 1, dev('x')).mode).toBe(0o600);
    r.del(1, 300);
    expect(run(r, 1, dev('x')).mode).toBe(0o644);
  });
});

describe('show always loads back', () => {
  test.each([['\n'], ['\r'], ['\t'], ['\x00'], ['\x1b'], ['\x7f'], ['\x85']])('a pattern with %j is refused at add and load; nothing changes', (c) => {
    const r = new Rules();
    r.add(10, 'path ok hide');
    const before = r.show(10);
    for (const f of [() => r.add(10, `path 'a${c}b' hide`), () => r.load(`[x=10]\nadd path 'a${c}b' hide`)]) {
      let e: { code?: string } | undefined;
      try { f(); } catch (err) { e = err as { code?: string }; }
      expect(e?.code).toBe('EINVAL');
    }
    expect(r.show(10)).toEqual(before);
  });

  test('odd but legal patterns and names round-trip through show and load', () => {
    const r = new Rules();
    const specs = ["path 'it''s' hide", 'path "a b" unhide', "path '#x' mode 1777", 'path \'$x\' user 0', "path 'é*' group 0", 'path \\# hide'];
    for (const s of specs) r.add(7, s);
    const text = `[copy=7]\n${r.show(7).map((l) => `add ${l}`).join('\n')}\n`;
    const again = new Rules();
    again.load(text);
    expect(again.show(7)).toEqual(r.show(7));
  });
});

describe('includes by reference agree with a naive recursive evaluation (property)', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fc = require('fast-check') as typeof import('fast-check');
  type R = { path: string | null; hide: boolean; unhide: boolean; uid: number | null; mode: number | null; include: number | null };
  const ruleArb = (rs: number) => fc.record({
    path: fc.option(fc.constantFrom('a*', 'a', 'ab', '*b', 'p/*', '?', '*'), { nil: null }),
    hide: fc.boolean(), unhide: fc.boolean(),
    uid: fc.option(fc.integer({ min: 0, max: 9 }), { nil: null }),
    mode: fc.option(fc.integer({ min: 0, max: 0o777 }), { nil: null }),
    // includes point only at higher-numbered rulesets: a DAG, with shared targets (diamonds)
    include: rs < 6 ? fc.option(fc.integer({ min: rs + 1, max: 6 }), { nil: null, freq: 2 }) : fc.constant(null),
  });
  /** A rule the generator gave no action is written as `hide` (a rule needs no action, but this keeps them useful). */
  const noAction = (x: R): boolean => !x.hide && !x.unhide && x.uid === null && x.mode === null && x.include === null;
  const setsArb = fc.tuple(...[1, 2, 3, 4, 5, 6].map((rs) => fc.array(ruleArb(rs), { minLength: 1, maxLength: 5 })));

  test('random include DAGs, depths and names', () => {
    fc.assert(fc.property(setsArb, fc.integer({ min: 0, max: 5 }), fc.array(fc.constantFrom('a', 'ab', 'b', 'p/x', 'x'), { minLength: 1, maxLength: 5 }), (sets, depth, names) => {
      const r = new Rules({ depth });
      // add the deepest first so every include target exists
      for (let rs = 6; rs >= 1; rs--) {
        for (const x of sets[rs - 1]) {
          let spec = '';
          if (x.path !== null) spec += ` path '${x.path}'`;
          if (x.hide) spec += ' hide';
          if (x.unhide) spec += ' unhide';
          if (x.uid !== null) spec += ` user ${x.uid}`;
          if (x.mode !== null) spec += ` mode ${x.mode.toString(8)}`;
          if (x.include !== null) spec += ` include ${x.include}`;
          if (noAction(x)) spec += ' hide';
          r.add(rs, spec.trim());
        }
      }
      const naive = (rs: number, s: RuleSubject, a: RuleAttrs, d: number): boolean => {
        let m = false;
        for (const x of sets[rs - 1]) {
          if (x.path !== null && !compilePattern(x.path).test(s.path)) continue;
          m = true;
          if (x.hide || noAction(x)) a.hidden = true;
          if (x.unhide) a.hidden = false;
          if (x.uid !== null) a.uid = x.uid;
          if (x.mode !== null) a.mode = x.mode;
          if (x.include !== null && d > 0) naive(x.include, s, a, d - 1);
        }
        return m;
      };
      for (const name of names) {
        for (const rs of [1, 2, 3]) {
          const got = { hidden: false, uid: -1, gid: -1, mode: -1 };
          const want = { hidden: false, uid: -1, gid: -1, mode: -1 };
          const gm = r.evaluate(rs, dev(name), got);
          const wm = naive(rs, dev(name), want, depth);
          expect([gm, got]).toEqual([wm, want]);
        }
      }
    }), { numRuns: 400 });
  });
});
