/** rule, ruleset, mounts, drivers, sysctl (events: commands/udev.ts). */
import type { Command } from 'commander';
import { table } from '../client/format';
import { M } from '../protocol/methods';
import { out, withClient } from './context';
import { loadRulesFile } from './reload';
import { escapeControl } from '../escape';

interface MountInfo { name: string; ruleset: number; rulesetName: string | null; jail: boolean; readOnly: boolean; yours: boolean }
interface Isolation { restart: string; state: string; restarts: number; lastFailure?: { code: string; message: string; at: string } }
interface DriverInfo { drivers: { name: string; plugin: string | null; version: string | null; note: string | null; isolation?: Isolation | null }[]; failures: { plugin: string; driver: string | null; code: string; message: string }[] }

/** An isolated driver's last failure, for the NOTE column. */
function isolationNote(i: Isolation | null | undefined): string | undefined {
  return i?.lastFailure ? `last failure ${i.lastFailure.at}: ${i.lastFailure.message}` : undefined;
}

/** A sysctl answer row: a value (with the old one after a set), or — in a listing — the error reading that node gave. */
interface SysctlRow { name: string; value?: string | number; old?: string | number; error?: { code: string; message: string } }

/** `name: value`, `name: old -> value`, or `name: (CODE: message)`, control characters escaped (values come from drivers). */
function sysctlLine(x: SysctlRow): string {
  const v = x.error ? `(${x.error.code}: ${x.error.message})` : x.old !== undefined ? `${x.old} -> ${x.value}` : `${x.value}`;
  return escapeControl(`${x.name}: ${v}`);
}

/** Adds the administrative verbs to `program`. */
export function adminCommands(program: Command): void {
  program.command('rule').description("devfs(8) rules: rule [-s N] add [rnum] SPEC | apply SPEC | applyset | del RNUM | delset | show [RNUM] | showsets | load FILE")
    .option('-s, --set <ruleset>', 'ruleset number or name (default: the mount\'s)')
    .argument('<words...>', 'rule command and its words, e.g. add path \'pts/*\' mode 0620')
    .passThroughOptions()
    .action(async (words: string[], o: { set?: string }, cmd: Command) => withClient(cmd, async (c, g) => {
      if (words[0] === 'load') {
        out(g, await loadRulesFile(c, words.slice(1)), []);
        return;
      }
      const argv = o.set !== undefined ? ['-s', o.set, ...words] : words;
      const r = await c.request<unknown>(M.rule, { argv });
      out(g, r, () => {
        if (Array.isArray(r)) return r.map(String);
        if (r && typeof r === 'object' && 'rule' in r) return String((r as { rule: number }).rule);
        return [];
      });
    }));

  program.command('ruleset').description("set your mount's ruleset (applies to nodes created from now on; `rule applyset` for existing ones)")
    .argument('<ruleset>')
    .action(async (ruleset: string, _o: unknown, cmd: Command) => withClient(cmd, async (c, g) => {
      const r = await c.request(M.ruleset, { ruleset });
      out(g, r, []);
    }));

  program.command('mounts').description('list the daemon\'s mounts (* = the one you see)')
    .action(async (_o: unknown, cmd: Command) => withClient(cmd, async (c, g) => {
      const ms = await c.request<MountInfo[]>(M.mounts);
      out(g, ms, () => table([['', 'MOUNT', 'RULESET', 'FLAGS'], ...ms.map((m) => [
        m.yours ? '*' : '', m.name, m.ruleset ? `${m.ruleset}${m.rulesetName ? ` (${m.rulesetName})` : ''}` : '-',
        [m.jail ? 'jail' : '', m.readOnly ? 'ro' : ''].filter(Boolean).join(',') || '-',
      ])]));
    }));

  program.command('drivers').description('list attached drivers and plugins that failed')
    .action(async (_o: unknown, cmd: Command) => withClient(cmd, async (c, g) => {
      const d = await c.request<DriverInfo>(M.drivers);
      out(g, d, () => [
        ...table([['DRIVER', 'PLUGIN', 'VERSION', 'ISOLATION', 'RESTARTS', 'NOTE'], ...d.drivers.map((x) => [
          x.name, x.plugin ?? '-', x.version ?? '-', x.isolation ? `${x.isolation.state} (restart ${x.isolation.restart})` : 'in process',
          x.isolation ? String(x.isolation.restarts) : '-', isolationNote(x.isolation) ?? x.note ?? '',
        ])]),
        ...d.failures.map((f) => `failed: ${f.plugin}${f.driver ? ` (${f.driver})` : ''}: ${f.message}`),
      ]);
    }));

  program.command('sysctl').description('read NAME (or every NAME.*), or set NAME=VALUE; no argument lists all')
    .argument('[setting]')
    .action(async (setting: string | undefined, _o: unknown, cmd: Command) => withClient(cmd, async (c, g) => {
      const eq = setting?.indexOf('=') ?? -1;
      const params = setting === undefined ? {} : eq >= 0 ? { name: setting.slice(0, eq), value: setting.slice(eq + 1) } : { name: setting };
      const r = await c.request<SysctlRow[]>(M.sysctl, params);
      out(g, r, () => r.map(sysctlLine));
    }));
}
