import * as fs from 'fs';
import * as path from 'path';
import type { Rules } from './rules';

/**
 * The standard rulesets shipped with the package as a devfs.rules file (packages/core/rules/):
 * devfsrules_hide_all=1, devfsrules_unhide_basic=2, devfsrules_unhide_login=3,
 * devfsrules_jail=4, devfsrules_jail_vnet=5.
 */

/** Absolute path of the shipped devfs.rules (resolved from src/rules or dist/rules alike). */
export const STANDARD_RULES_PATH = path.resolve(__dirname, '..', '..', 'rules', 'devfs.rules');

/** Numbers of the standard rulesets, by name. */
export const STANDARD_RULESETS = {
  devfsrules_hide_all: 1,
  devfsrules_unhide_basic: 2,
  devfsrules_unhide_login: 3,
  devfsrules_jail: 4,
  devfsrules_jail_vnet: 5,
} as const;

/** Loads the shipped standard rulesets into `rules` (all or nothing, like any `load`). */
export function loadStandardRules(rules: Rules): void {
  rules.load(fs.readFileSync(STANDARD_RULES_PATH, 'utf8'), STANDARD_RULES_PATH);
}
