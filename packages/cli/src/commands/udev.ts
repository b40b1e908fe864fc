/** udevadm-like verbs: events (monitor, with filters), info, trigger, settle. */
import type { Command } from 'commander';
import { devfsError } from '@devfs/core/base';
import type { DevEvent } from '@devfs/core/base';
import { formatEvent, modeString } from '../client/format';
import { escapeControl } from '../escape';
import { M, N } from '../protocol/methods';
import { out, withClient } from './context';

/** Which events `devfs events` prints. */
interface EventFilter { type: string[]; match?: string; mount?: string }

/** A RegExp from --match (EINVAL naming the syntax error). */
function pattern(src: string | undefined, verb: string): RegExp | undefined {
  if (src === undefined) return undefined;
  try {
    return new RegExp(src);
  } catch (err) {
    throw devfsError('EINVAL', verb, src, `bad --match pattern: ${(err as Error).message}`);
  }
}

/** The predicate for --type (any of them), --match (on the name) and --mount. */
export function eventFilter(f: EventFilter): (e: DevEvent) => boolean {
  const types = new Set(f.type.map((t) => t.toUpperCase()));
  const re = pattern(f.match, 'events');
  return (e) => (types.size === 0 || types.has(e.type)) && (!re || re.test(e.name)) && (f.mount === undefined || e.mount === f.mount);
}

/** Adds events, info, trigger and settle to `program`. */
export function udevCommands(program: Command): void {
  program.command('events').description('print recent device events, or follow new ones (like udevadm monitor); --json: one object per line')
    .option('-f, --follow', 'keep printing new events until interrupted')
    .option('-t, --type <type>', 'only this event type (REGISTER, UNREGISTER, CHANGE, LOOKUP, OPEN, CLOSE, NOTIFY, ...); repeatable',
      (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--match <regex>', 'only events whose device name matches')
    .option('--mount <name>', 'only events of this mount')
    .addHelpText('after', '\nEach line: [seq] time TYPE name (mount) key=value ...\nExample: devfs events -f -t REGISTER -t UNREGISTER --match \'^md\'')
    .action(async (o: EventFilter & { follow?: boolean }, cmd: Command) => withClient(cmd, async (c, g) => {
      const keep = eventFilter(o);
      const print = (e: DevEvent) => { if (keep(e)) process.stdout.write(g.json ? `${JSON.stringify(e)}\n` : `${formatEvent(e)}\n`); };
      if (!o.follow) {
        (await c.request<DevEvent[]>(M.events)).forEach(print);
        return;
      }
      c.on<DevEvent>(N.event, print);
      await c.request(M.subscribe);
      if (!g.json) process.stderr.write(`following events on ${c.socketPath} (mount ${c.hello.mount}); Ctrl-C to stop\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
        void c.closed().then(resolve);
      });
    }));

  program.command('info').description('everything about one device (like udevadm info): driver, inode/rdev, owner and mode in your mount, links, parent and children, driver attributes')
    .argument('<path>')
    .action(async (path: string, _o: unknown, cmd: Command) => withClient(cmd, async (c, g) => {
      const r = await c.request<DeviceInfo>(M.info, { path });
      out(g, r, () => infoLines(r));
    }));

  program.command('trigger').description('replay REGISTER for existing devices so event actions (PERMISSIONS, ...) apply to them (root only; like udevadm trigger)')
    .option('--match <regex>', 'only devices whose name matches')
    .action(async (o: { match?: string }, cmd: Command) => withClient(cmd, async (c, g) => {
      pattern(o.match, 'trigger');
      const r = await c.request<string[]>(M.trigger, o.match !== undefined ? { match: o.match } : {});
      out(g, r, () => r.map(escapeControl));
    }));

  program.command('settle').description('wait until every queued device event was delivered and its actions finished (like udevadm settle)')
    .action(async (_o: unknown, cmd: Command) => withClient(cmd, async (c) => {
      await c.request(M.settle);
    }));
}

/** What devices.info answers. */
interface DeviceInfo {
  name: string; path: string; driver: string; unit: number; inode: number; rdev: number; uid: number; gid: number; mode: number; mount: string;
  links: string[]; parent?: string; children?: string[]; attributes?: Record<string, unknown>;
}

/** udevadm info style: `K: value` lines, attributes as `A: key=value`. */
function infoLines(r: DeviceInfo): string[] {
  const lines = [
    `N: ${r.name}`, `P: ${r.path}`, `D: ${r.driver} (unit ${r.unit})`, `I: inode ${r.inode}, rdev ${r.rdev}`,
    `M: ${r.mount}: ${modeString({ mode: r.mode, type: 'char' })} uid=${r.uid} gid=${r.gid}`,
    ...r.links.map((l) => `S: ${l}`),
    ...(r.parent ? [`U: parent ${r.parent}`] : []),
    ...(r.children ?? []).map((ch) => `C: ${ch}`),
    ...Object.entries(r.attributes ?? {}).map(([k, v]) => `A: ${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`),
  ];
  return lines.map(escapeControl);
}
