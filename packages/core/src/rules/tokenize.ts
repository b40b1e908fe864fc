import { ruleError, SourceLoc } from './location';

/**
 * Splits one line of rule text into words the way sh(1) does for `devfs rule` command lines
 * (FreeBSD's rc.subr feeds devfs.rules lines through `eval` with globbing off): blanks separate
 * words; '...' is literal; "..." keeps its content, with `\` escaping only `$ \` " \`; outside
 * quotes `\c` is `c`; `$name` / `${name}` expand to the number of a ruleset named by a
 * `[name=N]` section; an unquoted `#` at the start of a word begins a comment. Glob characters
 * are never expanded.
 */

/** One word of a rule line. */
export interface Token {
  /** The word after quote removal and `$name` expansion. */
  readonly text: string;
  /** 1-based column of the word's first character in the line. */
  readonly column: number;
}

/** Looks up a ruleset name for `$name` expansion; undefined when unknown. */
export type NameLookup = (name: string) => number | undefined;

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;
const BLANK = /[ \t\r\f\v]/;

/** Tokenizes `line`; errors (EINVAL) name `source:line:column`. */
export function tokenizeLine(line: string, lineNo: number, source: string, names: NameLookup, syscall: string): Token[] {
  const tokens: Token[] = [];
  const at = (index: number): SourceLoc => ({ source, line: lineNo, column: index + 1 });
  let i = 0;
  const n = line.length;

  // Expands `$name` / `${name}` starting at line[i] === '$'. Returns [text, next index].
  const expand = (start: number): [string, number] => {
    let j = start + 1;
    let name: string;
    if (line[j] === '{') {
      const close = line.indexOf('}', j + 1);
      if (close < 0) throw ruleError('EINVAL', syscall, at(start), 'unterminated ${', line.slice(start));
      name = line.slice(j + 1, close);
      j = close + 1;
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        throw ruleError('EINVAL', syscall, at(start), 'bad substitution', line.slice(start, j));
      }
    } else if (j < n && NAME_START.test(line[j])) {
      while (j < n && NAME_CHAR.test(line[j])) j++;
      name = line.slice(start + 1, j);
    } else {
      return ['$', start + 1];
    }
    const value = names(name);
    if (value === undefined) {
      throw ruleError('EINVAL', syscall, at(start), 'unknown ruleset name', line.slice(start, j));
    }
    return [String(value), j];
  };

  while (i < n) {
    if (BLANK.test(line[i])) {
      i++;
      continue;
    }
    if (line[i] === '#') break;
    const start = i;
    let text = '';
    while (i < n && !BLANK.test(line[i])) {
      const c = line[i];
      if (c === "'") {
        const close = line.indexOf("'", i + 1);
        if (close < 0) throw ruleError('EINVAL', syscall, at(i), 'unterminated quote', line.slice(i));
        text += line.slice(i + 1, close);
        i = close + 1;
      } else if (c === '"') {
        let j = i + 1;
        for (;;) {
          if (j >= n) throw ruleError('EINVAL', syscall, at(i), 'unterminated quote', line.slice(i));
          const d = line[j];
          if (d === '"') break;
          if (d === '\\' && j + 1 < n && '$`"\\'.includes(line[j + 1])) {
            text += line[j + 1];
            j += 2;
          } else if (d === '$') {
            const [value, next] = expand(j);
            text += value;
            j = next;
          } else {
            text += d;
            j++;
          }
        }
        i = j + 1;
      } else if (c === '\\') {
        if (i + 1 >= n) throw ruleError('EINVAL', syscall, at(i), 'backslash at end of line', '\\');
        text += line[i + 1];
        i += 2;
      } else if (c === '$') {
        const [value, next] = expand(i);
        text += value;
        i = next;
      } else {
        text += c;
        i++;
      }
    }
    tokens.push({ text, column: start + 1 });
  }
  return tokens;
}

const SAFE_WORD = /^[A-Za-z0-9_.\/*?\[\]!^:@%+,=-]+$/;

/** Quotes `word` so that {@link tokenizeLine} reads it back unchanged (bare when that is safe). */
export function quoteWord(word: string): string {
  if (SAFE_WORD.test(word)) return word;
  return "'" + word.replace(/'/g, "'\\''") + "'";
}
