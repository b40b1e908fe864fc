/**
 * Argument templates of action rules: `$devname`, `$devpath`, `$mntpt`, `$uid`, `$gid`, `$mode`,
 * `$mount`, `$event`, `$ino` (also as `${name}`), `\0`…`\9` for the regex match and its groups,
 * `$$` for a literal `$` and `\\` for a literal backslash. Anything else is literal text, so
 * shell text such as `$HOME` passes through untouched to a program that wants it.
 */
import { configError, LineRef, Token } from './tokenize';

/** Names a template may substitute. */
export const TEMPLATE_VARS = ['devname', 'devpath', 'mntpt', 'uid', 'gid', 'mode', 'mount', 'event', 'ino'] as const;
/** One substitutable variable name. */
export type TemplateVar = typeof TEMPLATE_VARS[number];

type Part = string | { v: TemplateVar } | { g: number };

/** A compiled argument: literal pieces and references, expanded per event. */
export class Template {
  private constructor(private readonly parts: Part[], readonly text: string) {}

  /** Compiles `token`; EINVAL when it refers to a group the rule's regex does not have. */
  static compile(token: Token, groups: number, ref: LineRef): Template {
    const parts: Part[] = [];
    const s = token.text;
    let lit = '';
    let i = 0;
    const push = (p: Part) => {
      if (lit) parts.push(lit);
      lit = '';
      parts.push(p);
    };
    while (i < s.length) {
      const c = s[i];
      if (c === '\\' && i + 1 < s.length && /[0-9\\]/.test(s[i + 1])) {
        if (s[i + 1] === '\\') {
          lit += '\\';
        } else {
          const g = Number(s[i + 1]);
          if (g > groups) {
            throw configError(ref, token.col, token.text,
              `\\${g} refers to a group the regex does not have (it has ${groups})`);
          }
          push({ g });
        }
        i += 2;
        continue;
      }
      if (c === '$') {
        if (s[i + 1] === '$') {
          lit += '$';
          i += 2;
          continue;
        }
        const m = /^\$(?:\{([a-z]+)\}|([a-z]+))/.exec(s.slice(i));
        const name = m && (m[1] ?? m[2]);
        if (m && name && (TEMPLATE_VARS as readonly string[]).includes(name)) {
          push({ v: name as TemplateVar });
          i += m[0].length;
          continue;
        }
      }
      lit += c;
      i++;
    }
    if (lit) parts.push(lit);
    return new Template(parts, s);
  }

  /** True when the template has no references (its text is final). */
  get constant(): boolean {
    return this.parts.every((p) => typeof p === 'string');
  }

  /** Expands the template with an event's variables and the regex match. */
  expand(vars: (v: TemplateVar) => string, match: RegExpExecArray): string {
    let out = '';
    for (const p of this.parts) {
      if (typeof p === 'string') out += p;
      else if ('v' in p) out += vars(p.v);
      else out += match[p.g] ?? '';
    }
    return out;
  }
}
