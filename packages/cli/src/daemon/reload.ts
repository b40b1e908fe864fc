/**
 * `devfs reload` (root only): reads the config file again and applies what can change without a
 * restart — the rules files, the event-action files and the `access` map — with no client
 * dropped. Everything is read and checked first (the rules into a scratch Rules, the event files
 * into a scratch Events); a bad file is reported and the running config stays as it was.
 * Drivers, mounts, limits, the log, the socket and the FUSE export need a restart: a change
 * there is reported, not applied.
 */
import * as fs from 'fs';
import { devfsError, Events, Rules, toDevfsError } from '@devfs/core';
import type { Host } from '@devfs/core';
import { DaemonConfig, loadConfig } from './config';
import type { DaemonState } from './context';

/** What a reload did. */
export interface ReloadResult { file: string; rules: string[]; events: string[]; access: boolean; needRestart: string[] }

/** Keys whose change only a restart applies. */
const RESTART_KEYS = ['drivers', 'options', 'mounts', 'limits', 'log', 'socket', 'fuse', 'fuseMount'] as const;

/** Reads every file a config names (ENOENT and friends name the file). */
function readAll(files: string[] | undefined): Array<[string, string]> {
  return (files ?? []).map((f) => {
    try {
      return [f, fs.readFileSync(f, 'utf8')];
    } catch (err) {
      throw toDevfsError(err, 'reload', f);
    }
  });
}

/** Re-reads `file` and applies rules, event actions and access to `host`/`state`; throws (changing nothing) on any error. */
export async function reloadConfig(file: string | undefined, before: DaemonConfig, host: Host, state: DaemonState): Promise<ReloadResult> {
  if (file === undefined) throw devfsError('ENOENT', 'reload', undefined, 'the daemon was started without --config: there is nothing to read again');
  const cfg = loadConfig(file);
  const rules = readAll(cfg.rules);
  const events = readAll(cfg.events);
  const scratchRules = new Rules();
  for (const [f, text] of rules) scratchRules.load(text, f);
  const scratchEvents = new Events();
  try {
    for (const [f, text] of events) scratchEvents.loadConfig(text, f);
  } finally {
    await scratchEvents.close();
  }
  // checked: apply (each rules file replaces the sections it names, as at start)
  for (const [f, text] of rules) host.kernel.rules.load(text, f);
  host.kernel.events.clearConfig();
  for (const [f, text] of events) host.kernel.events.loadConfig(text, f);
  const access = JSON.stringify(cfg.access ?? {}) !== JSON.stringify(state.access);
  state.access = cfg.access ?? {};
  const needRestart = RESTART_KEYS.filter((k) => JSON.stringify(cfg[k]) !== JSON.stringify(before[k]));
  return { file, rules: rules.map(([f]) => f), events: events.map(([f]) => f), access, needRestart };
}
