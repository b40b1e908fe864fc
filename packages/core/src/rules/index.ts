/** FreeBSD devfs rulesets: devfs.rules parsing, `devfs rule` operations and evaluation. */
export { Rules } from './rules';
export type { RulesOptions, RulesChangeListener } from './rules';
export type { CompiledRule, RuleAttrs, RuleSubject } from './types';
export type { RuleError, SourceLoc } from './location';
export { compilePattern } from './fnmatch';
export type { PathMatcher } from './fnmatch';
export { RULE_TYPES, MAX_RULE_NUMBER, MAX_PATTERN_LENGTH } from './spec';
export { loadStandardRules, STANDARD_RULES_PATH, STANDARD_RULESETS } from './standard';
