import { devfsError, DevfsError } from '../errors';

/** Where a token came from, for error messages (`source:line:column`, 1-based). */
export interface SourceLoc {
  readonly source: string;
  readonly line: number;
  readonly column: number;
}

/** A DevfsError from the rules parser or store, carrying the position and offending token. */
export interface RuleError extends DevfsError {
  source?: string;
  line?: number;
  column?: number;
  token?: string;
}

/**
 * Builds the error for a rule problem at `loc`: the message reads
 * `CODE: source:line:column: detail 'token', syscall 'source'`, and the error carries
 * `source`, `line`, `column` and `token` fields.
 */
export function ruleError(code: string, syscall: string, loc: SourceLoc, detail: string, token?: string): RuleError {
  const where = `${loc.source}:${loc.line}:${loc.column}`;
  const text = token === undefined ? `${where}: ${detail}` : `${where}: ${detail} '${token}'`;
  const err = devfsError(code, syscall, loc.source, text) as RuleError;
  err.source = loc.source;
  err.line = loc.line;
  err.column = loc.column;
  if (token !== undefined) err.token = token;
  return err;
}
