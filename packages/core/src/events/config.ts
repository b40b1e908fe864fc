/**
 * The devfsd-style action rule file: one rule per line,
 *
 *     EVENT[|EVENT...]  REGEX  ACTION  [ARGS...]
 *
 * REGEX is a JavaScript regular expression searched in the event's name, as devfsd's regexec(3)
 * does (anchor with ^ and $ for a full match); its groups feed `\1`…`\9`. ACTION is one of
 * PERMISSIONS user.group mode | EXECUTE prog args... | SYMLINK target linkname | IGNORE |
 * MODLOAD package | COPY statefile | RESTORE statefile. Parsing is all-or-nothing: the first
 * error throws EINVAL naming `source:line:column` and the token.
 */
import * as path from 'path';
import { Accounts, resolveId } from '../accounts';
import { arg } from '../validate';
import { Template } from './template';
import { configError, LineRef, Token, tokenizeLine } from './tokenize';
import { DEV_EVENT_TYPES, DevEventType } from './types';

/** A parsed action. */
export type Action =
  | { kind: 'PERMISSIONS'; uid: number; gid: number; mode: number }
  | { kind: 'EXECUTE'; argv: Template[] }
  | { kind: 'SYMLINK'; target: Template; linkname: Template }
  | { kind: 'IGNORE' }
  | { kind: 'MODLOAD'; pkg: Template }
  | { kind: 'COPY'; file: string }
  | { kind: 'RESTORE'; file: string };

/** One rule of a config file. */
export interface ActionRule {
  events: ReadonlySet<DevEventType>;
  regex: RegExp;
  action: Action;
  /** `source:line`, for error reports of its actions. */
  where: string;
}

/** Argument count of each action: [min, max]. */
const ARITY: Record<Action['kind'], [number, number]> = {
  PERMISSIONS: [2, 2], EXECUTE: [1, Infinity], SYMLINK: [2, 2], IGNORE: [0, 0],
  MODLOAD: [1, 1], COPY: [1, 1], RESTORE: [1, 1],
};

/** Events an action makes sense for (absent: any event). */
const ALLOWED_EVENTS: Partial<Record<Action['kind'], DevEventType[]>> = {
  MODLOAD: ['LOOKUP'],
  COPY: ['CHANGE'],
  RESTORE: ['REGISTER'],
};

/** Parses a whole config text into rules; throws on the first error. */
export function parseConfig(text: string, source: string, accounts: () => Accounts): ActionRule[] {
  arg.string(text, 'config text', 'events.loadConfig');
  arg.string(source, 'source', 'events.loadConfig');
  const rules: ActionRule[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const ref: LineRef = { source, line: i + 1 };
    const tokens = tokenizeLine(lines[i], ref);
    if (tokens.length === 0) continue;
    rules.push(parseRule(tokens, ref, lines[i], accounts));
  }
  return rules;
}

function parseRule(tokens: Token[], ref: LineRef, line: string, accounts: () => Accounts): ActionRule {
  const [evTok, reTok, actTok, ...args] = tokens;
  const events = parseEvents(evTok, ref);
  if (!reTok) throw configError(ref, line.length + 1, evTok.text, 'missing regex after event');
  const regex = compileRegex(reTok, ref);
  const groups = countGroups(regex);
  if (!actTok) throw configError(ref, line.length + 1, reTok.text, 'missing action after regex');
  const kind = actTok.text.toUpperCase() as Action['kind'];
  if (!(kind in ARITY)) throw configError(ref, actTok.col, actTok.text, 'unknown action');
  const [min, max] = ARITY[kind];
  if (args.length < min) throw configError(ref, actTok.col, actTok.text, `needs ${min === max ? min : `at least ${min}`} argument(s)`);
  if (args.length > max) throw configError(ref, args[max].col, args[max].text, `unexpected argument to ${kind}`);
  const allowed = ALLOWED_EVENTS[kind];
  if (allowed) {
    for (const e of events) {
      if (!allowed.includes(e)) throw configError(ref, evTok.col, evTok.text, `${kind} applies to ${allowed.join('|')} only, not ${e}`);
    }
  }
  const tpl = (t: Token) => Template.compile(t, groups, ref);
  let action: Action;
  switch (kind) {
    case 'PERMISSIONS':
      action = parsePermissions(args[0], args[1], ref, accounts());
      break;
    case 'EXECUTE':
      action = { kind, argv: args.map(tpl) };
      break;
    case 'SYMLINK':
      action = { kind, target: tpl(args[0]), linkname: tpl(args[1]) };
      break;
    case 'IGNORE':
      action = { kind };
      break;
    case 'MODLOAD':
      action = { kind, pkg: tpl(args[0]) };
      break;
    case 'COPY':
    case 'RESTORE':
      if (args[0].text === '') throw configError(ref, args[0].col, args[0].text, 'empty state file name');
      action = { kind, file: path.resolve(args[0].text) };
      break;
  }
  return { events, regex, action, where: `${ref.source}:${ref.line}` };
}

function parseEvents(tok: Token, ref: LineRef): Set<DevEventType> {
  const out = new Set<DevEventType>();
  let col = tok.col;
  for (const part of tok.text.split('|')) {
    const t = part.toUpperCase() as DevEventType;
    if (!DEV_EVENT_TYPES.includes(t)) throw configError(ref, col, part, 'unknown event type');
    out.add(t);
    col += part.length + 1;
  }
  return out;
}

function compileRegex(tok: Token, ref: LineRef): RegExp {
  try {
    return new RegExp(tok.text);
  } catch (err) {
    throw configError(ref, tok.col, tok.text, `bad regex (${(err as Error).message})`);
  }
}

/** Number of capture groups of `re` (an alternative with the empty string always matches). */
function countGroups(re: RegExp): number {
  return (new RegExp(`${re.source}|`).exec('') as RegExpExecArray).length - 1;
}

function parsePermissions(owner: Token, modeTok: Token, ref: LineRef, acc: Accounts): Action {
  const sep = owner.text.includes(':') ? ':' : '.';
  const at = owner.text.indexOf(sep);
  if (at <= 0 || at === owner.text.length - 1) {
    throw configError(ref, owner.col, owner.text, 'expected user.group');
  }
  const user = owner.text.slice(0, at);
  const group = owner.text.slice(at + 1);
  const uid = resolveId(user, (n) => acc.uidOf(n));
  if (uid === undefined) throw configError(ref, owner.col, user, 'unknown user');
  const gid = resolveId(group, (n) => acc.gidOf(n));
  if (gid === undefined) throw configError(ref, owner.col + at + 1, group, 'unknown group');
  if (!/^[0-7]{1,5}$/.test(modeTok.text) || parseInt(modeTok.text, 8) > 0o7777) {
    throw configError(ref, modeTok.col, modeTok.text, 'expected an octal mode up to 07777');
  }
  return { kind: 'PERMISSIONS', uid, gid, mode: parseInt(modeTok.text, 8) };
}
