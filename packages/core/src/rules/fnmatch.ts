/**
 * fnmatch(3) with FNM_PATHNAME, as FreeBSD's devfs rules use it, compiled once per pattern.
 *
 * Semantics follow the kernel's `libkern/fnmatch.c` (what devfs calls): `*` and `?` never match
 * `/`; a bracket expression never matches `/` and, when a list member before its closing `]` is
 * `/` (escaped or not), never matches at all; `[!...]` and `[^...]` negate; `]` first in the
 * list is literal; `a-z` is an inclusive range by code point (a reversed range matches nothing);
 * `-` first or last is literal; a backslash makes the next character literal (inside and outside
 * brackets; a trailing backslash matches itself); a `[` without a closing `]` is an ordinary
 * character. Case-sensitive, no FNM_PERIOD (a leading `.` is matched by `*`). Characters are
 * Unicode code points (the kernel compares bytes; the two agree on ASCII names).
 */

/** A compiled pattern. */
export interface PathMatcher {
  /** The pattern as written. */
  readonly source: string;
  /** Literal characters every matching name starts with (used to index rules). */
  readonly prefix: string;
  /** The whole pattern when it has no wildcard (matching is then string equality), else null. */
  readonly literal: string | null;
  /** True when `name` matches the pattern. */
  test(name: string): boolean;
}

type Part =
  | { t: 'lit'; s: string }
  | { t: 'star' }
  | { t: 'any' }
  | { t: 'class'; negate: boolean; singles: number[]; ranges: [number, number][] }
  | { t: 'never' };

/** Splits a pattern into literal runs, wildcards and bracket expressions. */
function parsePattern(pattern: string): Part[] {
  const cps = Array.from(pattern);
  const parts: Part[] = [];
  const pushLit = (ch: string): void => {
    const last = parts[parts.length - 1];
    if (last && last.t === 'lit') last.s += ch;
    else parts.push({ t: 'lit', s: ch });
  };
  let i = 0;
  while (i < cps.length) {
    const c = cps[i];
    if (c === '*') {
      if (parts[parts.length - 1]?.t !== 'star') parts.push({ t: 'star' });
      i++;
    } else if (c === '?') {
      parts.push({ t: 'any' });
      i++;
    } else if (c === '\\') {
      pushLit(i + 1 < cps.length ? cps[i + 1] : '\\');
      i += 2;
    } else if (c === '[') {
      const r = parseBracket(cps, i + 1);
      if (r === null) {
        pushLit('[');
        i++;
      } else {
        parts.push(r.part);
        i = r.next;
      }
    } else {
      pushLit(c);
      i++;
    }
  }
  return parts;
}

/**
 * Parses a bracket expression whose body starts at `start` (just after `[`). Returns null when
 * there is no closing `]` (the `[` is then literal), or a `never` part when an unescaped `/`
 * appears before the closing `]` (BSD's RANGE_NOMATCH under FNM_PATHNAME).
 */
function parseBracket(cps: string[], start: number): { part: Part; next: number } | null {
  let i = start;
  let negate = false;
  if (cps[i] === '!' || cps[i] === '^') {
    negate = true;
    i++;
  }
  const first = i;
  const singles: number[] = [];
  const ranges: [number, number][] = [];
  for (;;) {
    if (i >= cps.length) return null;
    if (cps[i] === ']' && i > first) return { part: { t: 'class', negate, singles, ranges }, next: i + 1 };
    if (cps[i] === '\\') i++;
    if (i >= cps.length) return null;
    if (cps[i] === '/') return { part: { t: 'never' }, next: skipToClose(cps, i) };
    const lo = cps[i].codePointAt(0)!;
    i++;
    if (cps[i] === '-' && i + 1 < cps.length && cps[i + 1] !== ']') {
      i++;
      if (cps[i] === '\\' && i + 1 < cps.length) i++;
      const hi = cps[i].codePointAt(0)!;
      i++;
      ranges.push([lo, hi]);
    } else {
      singles.push(lo);
    }
  }
}

/** Index after the `]` closing a bracket that can never match, or the end of the pattern. */
function skipToClose(cps: string[], i: number): number {
  // The whole pattern can no longer match once a `never` part is reached; where parsing resumes
  // only affects the (unused) remainder, so resume after the next `]` or at the end.
  while (i < cps.length && cps[i] !== ']') i++;
  return Math.min(i + 1, cps.length);
}

/** One path component of a pattern: literal runs, `*`, `?` and bracket expressions (no `/`). */
type Component = Part[];

/**
 * Splits parts at literal `/` characters. Under FNM_PATHNAME nothing but a literal `/` matches a
 * `/`, so a pattern's components line up one-to-one with the name's.
 */
function splitComponents(parts: Part[]): Component[] {
  const comps: Component[] = [[]];
  for (const p of parts) {
    if (p.t !== 'lit' || !p.s.includes('/')) {
      comps[comps.length - 1].push(p);
      continue;
    }
    p.s.split('/').forEach((piece, k) => {
      if (k > 0) comps.push([]);
      if (piece !== '') comps[comps.length - 1].push({ t: 'lit', s: piece });
    });
  }
  return comps;
}

function classMatches(p: { negate: boolean; singles: number[]; ranges: [number, number][] }, cp: number): boolean {
  let ok = p.singles.includes(cp);
  if (!ok) for (const [lo, hi] of p.ranges) if (lo <= cp && cp <= hi) { ok = true; break; }
  return ok !== p.negate;
}

/**
 * Matches one component against `s[start, end)` (which holds no `/`): the classic glob algorithm
 * that, on a mismatch, lets the most recent `*` absorb one more character. Every other token has a
 * fixed length, which is what makes backtracking to the last star alone sufficient.
 */
function matchComponent(comp: Component, s: string, start: number, end: number): boolean {
  let ti = 0;
  let si = start;
  let starTi = -1;
  let starSi = -1;
  while (si < end) {
    if (ti < comp.length) {
      const p = comp[ti];
      if (p.t === 'star') {
        starTi = ti++;
        starSi = si;
        continue;
      }
      if (p.t === 'lit') {
        if (si + p.s.length <= end && s.slice(si, si + p.s.length) === p.s) {
          si += p.s.length;
          ti++;
          continue;
        }
      } else if (p.t !== 'never') {
        const cp = s.codePointAt(si)!;
        if (p.t === 'any' || classMatches(p, cp)) {
          si += cp > 0xffff ? 2 : 1;
          ti++;
          continue;
        }
      }
    }
    if (starTi < 0) return false;
    ti = starTi + 1;
    starSi += s.codePointAt(starSi)! > 0xffff ? 2 : 1;
    si = starSi;
  }
  while (ti < comp.length && comp[ti].t === 'star') ti++;
  return ti === comp.length;
}

/** Compiles an fnmatch(3) FNM_PATHNAME pattern to a matcher (string equality when literal). */
export function compilePattern(pattern: string): PathMatcher {
  const parts = parsePattern(pattern);
  let prefix = '';
  for (const p of parts) {
    if (p.t !== 'lit') break;
    prefix += p.s;
  }
  if (parts.length === 0 || (parts.length === 1 && parts[0].t === 'lit')) {
    const literal = prefix;
    return { source: pattern, prefix, literal, test: (name) => name === literal };
  }
  if (parts.some((p) => p.t === 'never')) {
    return { source: pattern, prefix, literal: null, test: () => false };
  }
  if (parts[parts.length - 1].t === 'star' && (parts.length === 1 || (parts.length === 2 && parts[0].t === 'lit'))) {
    // `*` or `literal*` (the usual rule: tty*, pts/*, bpf*): the literal, then no further '/'
    const from = prefix.length;
    // (slice and === is several times cheaper than startsWith with a non-constant argument in V8)
    return { source: pattern, prefix, literal: null, test: (name) => name.slice(0, from) === prefix && name.indexOf('/', from) < 0 };
  }
  const comps = splitComponents(parts);
  const last = comps.length - 1;
  const test = (name: string): boolean => {
    let start = 0;
    for (let k = 0; k <= last; k++) {
      let end = name.indexOf('/', start);
      if (k === last) {
        if (end >= 0) return false;
        end = name.length;
      } else if (end < 0) {
        return false;
      }
      if (!matchComponent(comps[k], name, start, end)) return false;
      start = end + 1;
    }
    return true;
  };
  return { source: pattern, prefix, literal: null, test };
}
