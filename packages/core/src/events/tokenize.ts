/**
 * Splits one config line into words, remembering each word's column for error messages.
 * Words are separated by blanks; '...' and "..." group blanks into a word (no escapes inside);
 * an unquoted word starting with '#' starts a comment that runs to the end of the line.
 */
import { devfsError } from '../errors';

/** One word of a config line: its text without quotes and its 1-based column. */
export interface Token {
  text: string;
  col: number;
}

/** Where a line came from, for `source:line:column` in errors. */
export interface LineRef {
  source: string;
  line: number;
}

/** A parse error naming `source:line:column` and the offending token (EINVAL, nothing changed). */
export function configError(ref: LineRef, col: number, token: string, why: string) {
  return devfsError('EINVAL', 'events.loadConfig', ref.source,
    `${ref.source}:${ref.line}:${col}: ${why} '${token}'`);
}

/** Tokenizes one line; throws EINVAL on an unterminated quote. */
export function tokenizeLine(text: string, ref: LineRef): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\r')) i++;
    if (i >= text.length) break;
    if (text[i] === '#') break;
    const start = i;
    let word = '';
    while (i < text.length && text[i] !== ' ' && text[i] !== '\t' && text[i] !== '\r') {
      const c = text[i];
      if (c === '"' || c === "'") {
        const end = text.indexOf(c, i + 1);
        if (end < 0) throw configError(ref, i + 1, text.slice(i), 'unterminated quote');
        word += text.slice(i + 1, end);
        i = end + 1;
      } else {
        word += c;
        i++;
      }
    }
    tokens.push({ text: word, col: start + 1 });
  }
  return tokens;
}
