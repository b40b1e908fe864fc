/**
 * Fuzz test of rules text (issue 14): random devfs.rules files and `devfs rule add` specs —
 * built from the grammar's words with quotes, `$names`, comments, sections, bad numbers, control
 * characters and arbitrary Unicode — go through load and add. Every failure is a coded
 * DevfsError naming `source:line:column`, and leaves every ruleset (`show`), ruleset name and
 * the include depth as they were. Whatever is accepted prints (`show`) in a form `load` reads
 * back to the same rules. Bounded by time (FC_TIME_MS, default 5 s per property).
 */
import fc from 'fast-check';
import { Rules } from '@devfs/core';
import { expectCoded, fuzzParams, thrown } from './fuzz-helpers';

const RULE_CODES = ['EINVAL', 'ESRCH', 'EEXIST', 'EIO', 'ELOOP', 'ERANGE'];

const word = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('path', 'type', 'hide', 'unhide', 'user', 'group', 'mode', 'include', 'add') },
  { weight: 4, arbitrary: fc.constantFrom('tty', 'disk', 'mem', 'tape', 'root', 'wheel', 'operator', 'nobody', 'nosuchuser', '0', '1', '2', '10', '660', '7777', '10000', '65535', '65536', '4294967294', '99999999999') },
  { weight: 4, arbitrary: fc.constantFrom('pts/*', '*', 'a*', 'tty[a-c]*', '[!x]', '\\*', 'md[0-9]', '[', 'a/b', 'é*', '😀') },
  { weight: 2, arbitrary: fc.constantFrom("'a b'", '"q $x"', "'unterminated", '"${x}"', '$x', '${nope}', '${', '#c', '\\', 'it\\\'s', '"\\$"', "'\t'", "'a\rb'", "'x\ny'", "'\x85'", "'\x1b[2J'") },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  { weight: 1, arbitrary: fc.constantFrom('x'.repeat(199), 'x'.repeat(200)) },
);
const spec = fc.array(word, { minLength: 0, maxLength: 9 }).map((ws) => ws.join(' '));
const line = fc.oneof(
  { weight: 6, arbitrary: spec.map((s) => `add ${s}`) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('x', 'jail', 'rs_1', '1bad', ''), fc.constantFrom('10', '11', '0', '65535', '65536', 'z')).map(([n, v]) => `[${n}=${v}]`) },
  { weight: 1, arbitrary: fc.constantFrom('', '# comment', '   ', 'del 100', '[x=10] # c', 'add', '\tadd path a hide') },
  { weight: 1, arbitrary: spec },
);
const text = fc.array(line, { maxLength: 8 }).map((ls) => ls.join('\n'));

/** Every ruleset's rules and name, and the include depth. */
function snapshot(r: Rules): string {
  return JSON.stringify([r.depth, r.list().map((n) => [n, r.name(n), r.show(n)])]);
}

/** A registry holding some rulesets to include, change and collide with. */
function seeded(): Rules {
  const r = new Rules({ depth: 3 });
  r.load('[jail=11]\nadd path c unhide\n[x=10]\nadd path a* hide\nadd 300 path b include 11\n');
  r.add(12, 'type tty mode 620');
  return r;
}

/** load(show) on a fresh registry gives the same rules (every existing ruleset retained first). */
function expectRoundTrip(r: Rules): void {
  const again = new Rules({ depth: r.depth });
  for (const n of r.list()) if (n !== 0) again.retain(n);
  // included rulesets first, so every include finds its target
  const order = topological(r);
  const textOut = order.map((n) => `[s${n}=${n}]\n${r.show(n).map((l) => `add ${l}`).join('\n')}`).join('\n');
  const err = thrown(() => again.load(textOut, 'show'));
  if (err !== undefined) throw new Error(`show output does not load back: ${(err as Error).message}\n${textOut}`);
  for (const n of r.list()) {
    if (JSON.stringify(again.show(n)) !== JSON.stringify(r.show(n))) {
      throw new Error(`ruleset ${n} changed in the round trip:\n${r.show(n).join('\n')}\n---\n${again.show(n).join('\n')}`);
    }
  }
}

function topological(r: Rules): number[] {
  const out: number[] = [];
  const seen = new Set<number>();
  const visit = (n: number): void => {
    if (seen.has(n)) return;
    seen.add(n);
    for (const l of r.show(n)) {
      const m = / include (\d+)$/.exec(l);
      if (m) visit(Number(m[1]));
    }
    out.push(n);
  };
  for (const n of r.list()) visit(n);
  return out.filter((n) => r.show(n).length > 0);
}

/** Runs `op`; on failure checks the error (coded, with its position) and that nothing changed. */
function attempt(r: Rules, op: () => unknown): boolean {
  const before = snapshot(r);
  const err = thrown(op);
  if (err === undefined) return true;
  const e = expectCoded(err, RULE_CODES) as { line?: unknown; column?: unknown; syscall?: string };
  // an unknown ruleset named by the caller has no position in any text
  if (e.syscall !== 'rules.resolve' && !(Number.isInteger(e.line) && Number.isInteger(e.column))) {
    throw new Error(`no source:line:column on ${(err as Error).message}`);
  }
  const after = snapshot(r);
  if (after !== before) throw new Error(`a failed call changed the rules:\n${before}\n${after}`);
  return false;
}

describe('fuzzed rules text', () => {
  test('load: coded errors with a position, nothing changed on failure, accepted text round-trips', () => {
    fc.assert(fc.property(text, (t) => {
      const r = seeded();
      if (attempt(r, () => r.load(t, 'fuzz.rules'))) expectRoundTrip(r);
    }), fuzzParams());
  });

  test('add: coded errors with a position, nothing changed on failure, accepted rules round-trip', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.constantFrom<number | string>(10, 11, 12, 13, 0, 'x', '$jail', 'jail'), spec), { minLength: 1, maxLength: 6 }), (adds) => {
      const r = seeded();
      for (const [rs, s] of adds) attempt(r, () => r.add(rs, s));
      expectRoundTrip(r);
    }), fuzzParams());
  });
});
