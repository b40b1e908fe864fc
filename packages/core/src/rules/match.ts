import { D_TYPEMASK } from '../constants';
import type { CompiledRule, RuleAttrs, RuleSubject } from './types';

/**
 * FreeBSD's `devfs_rule_match` and `devfs_rule_run` for one rule: a `type` condition matches
 * only devices whose d_flags share a type bit with it (never links or directories); a `path`
 * condition matches the mount-relative path with fnmatch(3) FNM_PATHNAME (never the root); no
 * condition matches everything.
 */

/** True when `rule`'s conditions match `subject`. */
export function ruleMatches(rule: CompiledRule, subject: RuleSubject): boolean {
  if (rule.types !== 0) {
    if (subject.kind !== 'dev' || (subject.dflags & D_TYPEMASK & rule.types) === 0) return false;
  }
  if (rule.path !== null) {
    if (subject.path === '' || !rule.path.test(subject.path)) return false;
  }
  return true;
}

/** Applies `rule`'s own actions (not its include) to `attrs`: hide, then unhide, user, group, mode. */
export function applyActions(rule: CompiledRule, attrs: RuleAttrs): void {
  if (rule.hide) attrs.hidden = true;
  if (rule.unhide) attrs.hidden = false;
  if (rule.uid !== null) attrs.uid = rule.uid;
  if (rule.gid !== null) attrs.gid = rule.gid;
  if (rule.mode !== null) attrs.mode = rule.mode;
}
