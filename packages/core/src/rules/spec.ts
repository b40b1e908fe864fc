import { D_DISK, D_MEM, D_TAPE, D_TTY } from '../constants';
import type { Accounts } from '../accounts';
import { compilePattern } from './fnmatch';
import { ruleError, SourceLoc } from './location';
import { quoteWord, Token } from './tokenize';
import type { CompiledRule } from './types';
import { MAX_ID } from '../validate';

/**
 * The rule specification grammar of devfs(8): `[rnum] {type T | path P}... {hide | unhide |
 * user U | group G | mode M | include N}...` — conditions first, then actions, as FreeBSD's
 * `rulespec_intok` reads them — and the canonical text `show` prints.
 */

/** `type` names in the order FreeBSD prints them. */
export const RULE_TYPES: ReadonlyArray<readonly [string, number]> = [
  ['disk', D_DISK],
  ['mem', D_MEM],
  ['tape', D_TAPE],
  ['tty', D_TTY],
];

/** Largest ruleset and rule number (both are 16-bit in FreeBSD). */
export const MAX_RULE_NUMBER = 65535;
/** Longest path pattern (FreeBSD's DEVFS_MAXPTRNLEN - 1). */
export const MAX_PATTERN_LENGTH = 199;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f-\x9f]/;

/** Where the parts of a rule line are, for errors found after parsing (EIO, ESRCH, EEXIST...). */
export interface SpecLocations {
  /** The first word of the rule (its number, or its first condition/action). */
  start: SourceLoc;
  rnum?: SourceLoc;
  include?: SourceLoc;
}

/** Context for parsing one line. */
export interface SpecContext {
  source: string;
  line: number;
  syscall: string;
  accounts: Accounts;
  /** Column just past the end of the line, for "unexpected end" errors. */
  endColumn: number;
}

/** Parses the words of a rule spec (without a leading `add`). */
export function parseSpec(tokens: Token[], ctx: SpecContext): { rule: CompiledRule; locs: SpecLocations } {
  const loc = (t: Token | undefined): SourceLoc => ({
    source: ctx.source, line: ctx.line, column: t ? t.column : ctx.endColumn,
  });
  const fail = (t: Token | undefined, detail: string, token?: string): never => {
    throw ruleError('EINVAL', ctx.syscall, loc(t), detail, token ?? t?.text);
  };
  if (tokens.length === 0) fail(undefined, 'unexpected end of rule spec');

  let i = 0;
  let rnum = 0;
  const locs: SpecLocations = { start: loc(tokens[0]) };
  if (/^\d+$/.test(tokens[0].text)) {
    rnum = Number(tokens[0].text);
    if (rnum > MAX_RULE_NUMBER) fail(tokens[0], `rule number out of range (1..${MAX_RULE_NUMBER})`);
    locs.rnum = loc(tokens[0]);
    i = 1;
  }
  const arg = (kw: Token): Token => tokens[i + 1] ?? fail(undefined, `expecting argument for ${kw.text}`, kw.text);

  let types = 0;
  let pattern: string | null = null;
  for (; i < tokens.length; i += 2) {
    const t = tokens[i];
    if (t.text === 'type') {
      const a = arg(t);
      const entry = RULE_TYPES.find(([name]) => name === a.text);
      if (!entry) fail(a, 'invalid type (disk, mem, tape or tty)');
      types |= entry![1];
    } else if (t.text === 'path') {
      const a = arg(t);
      if (a.text.length > MAX_PATTERN_LENGTH) fail(a, `pattern longer than ${MAX_PATTERN_LENGTH} characters`);
      if (CONTROL.test(a.text)) fail(a, 'pattern contains a control character (no device name has one)');
      pattern = a.text;
    } else {
      break;
    }
  }

  let hide = false, unhide = false;
  let uid: number | null = null, gid: number | null = null, mode: number | null = null;
  let include: number | null = null;
  while (i < tokens.length) {
    const t = tokens[i];
    switch (t.text) {
      case 'hide': hide = true; i++; continue;
      case 'unhide': unhide = true; i++; continue;
      case 'user': {
        const a = arg(t);
        uid = ctx.accounts.uidOf(a.text) ?? parseId(a.text) ?? fail(a, 'unknown user');
        break;
      }
      case 'group': {
        const a = arg(t);
        gid = ctx.accounts.gidOf(a.text) ?? parseId(a.text) ?? fail(a, 'unknown group');
        break;
      }
      case 'mode': {
        const a = arg(t);
        if (!/^[0-7]+$/.test(a.text) || parseInt(a.text, 8) > 0o7777) fail(a, 'invalid mode (octal, at most 7777)');
        mode = parseInt(a.text, 8);
        break;
      }
      case 'include': {
        const a = arg(t);
        if (!/^\d+$/.test(a.text) || Number(a.text) > MAX_RULE_NUMBER) fail(a, 'invalid ruleset number');
        include = Number(a.text);
        locs.include = loc(a);
        break;
      }
      case 'type':
      case 'path':
        fail(t, 'condition after an action');
        break;
      default:
        fail(t, 'unknown argument');
    }
    i += 2;
  }

  const rule: CompiledRule = {
    rnum, types, path: pattern === null ? null : compilePattern(pattern),
    hide, unhide, uid, gid, mode, include,
  };
  return { rule, locs };
}

function parseId(text: string): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n <= MAX_ID ? n : undefined;
}

/**
 * The canonical text of a rule, as `devfs rule show` prints it (`100 path pts/* unhide`):
 * number, types, path, hide/unhide, user, group, mode (octal), include (number). Users and groups
 * print by name when the accounts files know the id. `add` reads it back to the same rule.
 */
export function formatRule(rule: CompiledRule, accounts: Accounts): string {
  let s = String(rule.rnum);
  for (const [name, flag] of RULE_TYPES) if (rule.types & flag) s += ` type ${name}`;
  if (rule.path) s += ` path ${quoteWord(rule.path.source)}`;
  if (rule.hide) s += ' hide';
  if (rule.unhide) s += ' unhide';
  if (rule.uid !== null) s += ` user ${quoteWord(nameOrId(accounts.userName(rule.uid), rule.uid, accounts.uidOf.bind(accounts)))}`;
  if (rule.gid !== null) s += ` group ${quoteWord(nameOrId(accounts.groupName(rule.gid), rule.gid, accounts.gidOf.bind(accounts)))}`;
  if (rule.mode !== null) s += ` mode ${rule.mode.toString(8)}`;
  if (rule.include !== null) s += ` include ${rule.include}`;
  return s;
}

/** The name to print for an id: its name when that name resolves back to the same id, else the number. */
function nameOrId(name: string | undefined, id: number, lookup: (n: string) => number | undefined): string {
  if (name !== undefined && lookup(name) === id) return name;
  return String(id);
}
