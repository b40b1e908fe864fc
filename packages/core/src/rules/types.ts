import type { PathMatcher } from './fnmatch';

/** What a rule is matched against: one dirent of a mount. */
export interface RuleSubject {
  /** Mount-relative path, e.g. 'pts/3' (no leading '/'; '' is the mount's root). */
  path: string;
  /** A device node, a directory, or a symlink (alias or user link). */
  kind: 'dev' | 'dir' | 'link';
  /** The driver's cdevsw d_flags (only read for kind 'dev'). */
  dflags: number;
}

/** The attributes rules change, mutated in place in rule order. */
export interface RuleAttrs {
  hidden: boolean;
  uid: number;
  gid: number;
  /** Permission bits; a `mode` action sets them to its value (0..0o7777), as FreeBSD's de_mode = dr_mode. */
  mode: number;
}

/** A parsed, compiled rule (as stored in a ruleset, or one-off for `devfs rule apply`). */
export interface CompiledRule {
  /** Rule number (1..65535 once stored; 0 for a one-off rule given without a number). */
  readonly rnum: number;
  /** OR of D_DISK/D_MEM/D_TAPE/D_TTY from `type` conditions; 0 when there is none. */
  readonly types: number;
  /** The `path` condition, compiled; null when there is none. */
  readonly path: PathMatcher | null;
  readonly hide: boolean;
  readonly unhide: boolean;
  readonly uid: number | null;
  readonly gid: number | null;
  readonly mode: number | null;
  /** Ruleset number of an `include` action; null when there is none. */
  readonly include: number | null;
}
