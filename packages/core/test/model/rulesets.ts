import { D_TTY } from '@devfs/core';

/**
 * The rules of the model-based test, each given twice: as `devfs rule add` text for the kernel and
 * as plain data for the model (which matches and applies it by itself, see `evaluateRules`).
 */
export interface ModelRule {
  spec: string;
  /** fnmatch pattern with FNM_PATHNAME; only `*` and literal characters are used here. */
  path?: string;
  /** Device type bit (`type tty` → D_TTY). */
  type?: number;
  hide?: true;
  unhide?: true;
  user?: number;
  group?: number;
  mode?: number;
}

/** Rulesets loaded into every kernel of the test (rule numbers 100, 200, ... in array order). */
export const RULESETS: ReadonlyMap<number, readonly ModelRule[]> = new Map([
  [10, [
    { spec: "path 'a*' hide", path: 'a*', hide: true },
    { spec: "path 'tty*' mode 620 group 5", path: 'tty*', mode: 0o620, group: 5 },
    { spec: "path 'b/*' user 1001", path: 'b/*', user: 1001 },
  ]],
  [11, [
    { spec: 'type tty mode 660 group 5', type: D_TTY, mode: 0o660, group: 5 },
    { spec: 'path x user 1001 mode 640', path: 'x', user: 1001, mode: 0o640 },
    { spec: 'path l hide', path: 'l', hide: true },
  ]],
  [12, [
    { spec: 'hide', hide: true },
    { spec: 'path y unhide', path: 'y', unhide: true },
    { spec: 'path a unhide', path: 'a', unhide: true },
    { spec: "path 'a/*' unhide", path: 'a/*', unhide: true },
    { spec: 'type tty unhide', type: D_TTY, unhide: true },
    { spec: 'path a/b mode 666', path: 'a/b', mode: 0o666 },
  ]],
]);

/** Ruleset numbers the test picks from: none, the three above, and one that does not exist. */
export const RULESET_CHOICES = [0, 10, 11, 12, 99] as const;

/** `devfs.rules` text of RULESETS. */
export const RULES_TEXT = [...RULESETS].map(([n, rules]) =>
  `[t${n}=${n}]\n${rules.map((r) => `add ${r.spec}`).join('\n')}\n`).join('');

/** Specs for `applyRule` (the last one is a syntax error: EINVAL, nothing changes). */
export const APPLY_SPECS: readonly (ModelRule | { spec: string; invalid: true })[] = [
  { spec: 'path x hide', path: 'x', hide: true },
  { spec: 'path x unhide', path: 'x', unhide: true },
  { spec: 'path a hide', path: 'a', hide: true },
  { spec: 'path a unhide', path: 'a', unhide: true },
  { spec: "path 'a/*' mode 600", path: 'a/*', mode: 0o600 },
  { spec: 'type tty user 1002', type: D_TTY, user: 1002 },
  { spec: 'mode 644', mode: 0o644 },
  { spec: 'path y group 20', path: 'y', group: 20 },
  { spec: 'path l hide', path: 'l', hide: true },
  { spec: 'unhide', unhide: true },
  { spec: 'path x frob', invalid: true },
];

/** What a rule is matched against. */
export interface Subject { path: string; kind: 'dev' | 'dir' | 'link'; dflags: number }
/** What rules change (-1: not set by any rule). */
export interface RuleOut { hidden: boolean; uid: number; gid: number; mode: number }

/** fnmatch(FNM_PATHNAME) for patterns made of literal characters and `*` (never crossing '/'). */
export function globMatch(pattern: string, path: string): boolean {
  if (pattern === '') return path === '';
  if (pattern[0] === '*') {
    for (let i = 0; i <= path.length; i++) {
      if (globMatch(pattern.slice(1), path.slice(i))) return true;
      if (path[i] === '/') return false;
    }
    return false;
  }
  return path !== '' && path[0] === pattern[0] && globMatch(pattern.slice(1), path.slice(1));
}

/** True when `r` matches `s`: a path condition by glob, a type condition only on devices. */
export function ruleMatches(r: ModelRule, s: Subject): boolean {
  if (r.path !== undefined && !globMatch(r.path, s.path)) return false;
  if (r.type !== undefined && (s.kind !== 'dev' || (s.dflags & r.type) === 0)) return false;
  return true;
}

/** Runs `rules` in order over `s`, changing `out`; true when any rule matched. */
export function evaluateRules(rules: readonly ModelRule[], s: Subject, out: RuleOut): boolean {
  let any = false;
  for (const r of rules) {
    if (!ruleMatches(r, s)) continue;
    any = true;
    if (r.hide) out.hidden = true;
    if (r.unhide) out.hidden = false;
    if (r.user !== undefined) out.uid = r.user;
    if (r.group !== undefined) out.gid = r.group;
    if (r.mode !== undefined) out.mode = r.mode;
  }
  return any;
}
