import { execFileSync } from 'child_process';
import { compilePattern } from '../src/rules';
import { describeHost, needTool } from '../../../test-support/host';

const m = (pattern: string, name: string): boolean => compilePattern(pattern).test(name);

describe('fnmatch FNM_PATHNAME', () => {
  test('* never crosses a /', () => {
    expect(m('pts*', 'pts')).toBe(true);
    expect(m('pts*', 'pts0')).toBe(true);
    expect(m('pts*', 'pts/0')).toBe(false);
    expect(m('pts/*', 'pts/0')).toBe(true);
    expect(m('pts/*', 'pts/12')).toBe(true);
    expect(m('pts/*', 'pts')).toBe(false);
    expect(m('pts/*', 'pts/0/1')).toBe(false);
    expect(m('*', 'a/b')).toBe(false);
    expect(m('*/*', 'a/b')).toBe(true);
    expect(m('*', '.hidden')).toBe(true); // no FNM_PERIOD
  });

  test('? matches exactly one character, never /', () => {
    expect(m('tty?', 'ttyp')).toBe(true);
    expect(m('tty?', 'tty')).toBe(false);
    expect(m('tty?', 'ttyp0')).toBe(false);
    expect(m('a?b', 'a/b')).toBe(false);
    expect(m('pts/?', 'pts/3')).toBe(true);
  });

  test('bracket classes: lists, ranges, negation, ] first, - at the ends', () => {
    expect(m('tty[pqrs]0', 'ttyq0')).toBe(true);
    expect(m('tty[pqrs]0', 'ttyt0')).toBe(false);
    expect(m('md[0-9]', 'md7')).toBe(true);
    expect(m('md[0-9]', 'mda')).toBe(false);
    expect(m('md[!0-9]', 'mda')).toBe(true);
    expect(m('md[^0-9]', 'md7')).toBe(false);
    expect(m('[]]', ']')).toBe(true);
    expect(m('[!]]', ']')).toBe(false);
    expect(m('[!]]', 'x')).toBe(true);
    expect(m('[a-]', '-')).toBe(true);
    expect(m('[-a]', '-')).toBe(true);
    expect(m('[z-a]', 'm')).toBe(false); // reversed range is empty
    expect(m('[!a]', '/')).toBe(false); // a class never matches /
  });

  test('a / listed inside a bracket makes it never match (libkern RANGE_NOMATCH)', () => {
    expect(m('[a/]', 'a')).toBe(false);
    expect(m('[!/]', 'a')).toBe(false);
    expect(m('[\\/]', '/')).toBe(false);
    expect(m('x[a/]', 'x/')).toBe(false);
  });

  test('an unterminated [ is literal', () => {
    expect(m('[', '[')).toBe(true);
    expect(m('a[b', 'a[b')).toBe(true);
    expect(m('a[b', 'ab')).toBe(false);
    expect(compilePattern('a[b').literal).toBe('a[b');
  });

  test('backslash escapes, inside and outside brackets; trailing backslash is literal', () => {
    expect(m('\\*', '*')).toBe(true);
    expect(m('\\*', 'x')).toBe(false);
    expect(m('a\\?b', 'a?b')).toBe(true);
    expect(m('a\\?b', 'axb')).toBe(false);
    expect(m('[\\]]', ']')).toBe(true);
    expect(m('[\\!a]', '!')).toBe(true);
    expect(m('a\\', 'a\\')).toBe(true);
  });

  test('regex metacharacters are plain characters', () => {
    expect(m('a.b', 'a.b')).toBe(true);
    expect(m('a.b*', 'axb')).toBe(false);
    expect(m('(x)+$', '(x)+$')).toBe(true);
    expect(m('[.+]', '+')).toBe(true);
    expect(m('[.+]', 'x')).toBe(false);
  });

  test('prefix and literal are what the index relies on', () => {
    expect(compilePattern('pts/*').prefix).toBe('pts/');
    expect(compilePattern('pts/*').literal).toBeNull();
    expect(compilePattern('ttyp*').prefix).toBe('ttyp');
    expect(compilePattern('*x').prefix).toBe('');
    expect(compilePattern('a\\*b*').prefix).toBe('a*b');
    expect(compilePattern('null').literal).toBe('null');
    expect(compilePattern('md[0-9]').prefix).toBe('md');
  });
});

// Differential check against the host C library's fnmatch(3) with FNM_PATHNAME, through python3's
// ctypes. glibc and FreeBSD's libkern differ in exactly two documented places, left out here and
// covered above: a bracket that lists '/', and a trailing backslash.
describeHost('fnmatch agrees with the host libc', [needTool('python3')], () => {
  const patterns = ['*', '?', 'pts*', 'pts/*', 'pts/?', '*/*', '[abc]', '[!abc]', '[^abc]', '[a-c]x',
    '[]]', '[!]]', '[a-]', '[-a]', '[z-a]', '\\*', 'a\\?b', '[\\]]', '[', 'a[', '[a', 'ab]', '*.*',
    '.*', '*a*b', 'tty[pqrs]?', '[.-0]', '[!.-0]', 'x/*/y', '**', '*/', '[[]', '[a-z0-9]*', '[!-]',
    '[]-a]', 'a*b*c', '?*?', '[!a-c]*'];
  const names = ['', 'a', 'b', 'ab', 'abc', 'x', 'pts', 'pts0', 'pts/0', 'pts/12', 'pts/0/1', '/',
    'a/b', '.x', 'a.b', '*', '?', ']', '-', '[', 'a[', '[a', 'ab]', '\\', '.', '/a', 'a/', 'x/y',
    'x/z/y', 'ttyp0', 'ttyq', '0', 'z', '_', 'a?b', 'axb', '[]', '^', 'aXbXc', 'abbc'];

  const libcMismatches = (cases: [string, string][]): { ref: boolean[]; differ: string[] } => {
    const script = [
      'import ctypes, json, sys',
      'libc = ctypes.CDLL(None)',
      'FNM_PATHNAME = 1',
      'print(json.dumps([libc.fnmatch(p.encode(), n.encode(), FNM_PATHNAME) == 0 for p, n in json.load(sys.stdin)]))',
    ].join('\n');
    const ref = JSON.parse(execFileSync('python3', ['-c', script], { input: JSON.stringify(cases) }).toString()) as boolean[];
    const differ = cases.filter(([p, n], i) => m(p, n) !== ref[i]).map(([p, n]) => `${p} vs ${n}`);
    return { ref, differ };
  };

  test(`${patterns.length} hand-picked patterns x ${names.length} names`, () => {
    const cases: [string, string][] = [];
    for (const p of patterns) for (const n of names) cases.push([p, n]);
    const { ref, differ } = libcMismatches(cases);
    expect(differ).toEqual([]);
    expect(ref.filter(Boolean).length).toBeGreaterThan(50); // the reference really matched things
  });

  test('random patterns (stars, ?, classes, escapes, slashes) x random names', () => {
    let seed = 4242;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 0x100000000);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
    const atoms = ['a', 'b', 'ab', 'ba', '/', '*', '*', '?', '[ab]', '[!a]', '[a-c]', '\\*', '\\a', '.', '*a*'];
    const chars = ['a', 'b', 'c', '/', '.', '*'];
    const cases: [string, string][] = [];
    for (let i = 0; i < 300; i++) {
      const p = Array.from({ length: 1 + Math.floor(rand() * 5) }, () => pick(atoms)).join('');
      for (let j = 0; j < 20; j++) cases.push([p, Array.from({ length: Math.floor(rand() * 7) }, () => pick(chars)).join('')]);
    }
    const { ref, differ } = libcMismatches(cases);
    expect(differ.slice(0, 10)).toEqual([]);
    expect(ref.filter(Boolean).length).toBeGreaterThan(150); // ~200 of the 6,000 pairs match
  });
});
