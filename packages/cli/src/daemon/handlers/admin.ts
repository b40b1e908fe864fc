/** hello (mount selection), rule/ruleset in devfs(8) grammar, mounts, drivers, sysctl, events. */
import { devfsError, reasonOf, toDevfsError } from '@devfs/core';
import type { DevEvent, Mount } from '@devfs/core';
import type { Session } from '../context';
import { mountFor } from '../access';
import { M, N } from '../../protocol/methods';
import { obj, str, strings } from '../../protocol/validate';
import type { Handlers } from './types';
import { eventFor, needPrivilege, privileged, shows } from './visibility';

/** Handlers of the administrative methods. */
export function adminHandlers(): Handlers {
  return {
    [M.hello]: (s, p) => {
      const o = obj(p ?? {}, M.hello);
      const want = str(o, 'mount', M.hello, { optional: true, max: 64 });
      if (want !== undefined && want !== s.mount.name) {
        if (s.cred.uid !== 0) throw devfsError('EPERM', M.hello, want, `only root may choose a mount; you see '${mountFor(s.cred, s.state.access)}'`);
        const m = s.state.host.kernel.mountNamed(want);
        if (!m) throw devfsError('ENOENT', M.hello, want, `no mount named '${want}'`);
        s.mount = m;
      }
      return { uid: s.cred.uid, gid: s.cred.gid, pid: s.pid, mount: s.mount.name, version: s.state.version };
    },
    [M.rule]: (s, p) => rule(s, strings(obj(p, M.rule), 'argv', M.rule, 64)),
    [M.ruleset]: (s, p) => {
      const n = str(obj(p, M.ruleset), 'ruleset', M.ruleset, { max: 64 });
      s.mount.setRuleset(/^\d+$/.test(n) ? Number(n) : n, s.cred);
      return { mount: s.mount.name, ruleset: s.mount.ruleset };
    },
    // an unprivileged caller sees its own mount only
    [M.mounts]: (s) => [...s.state.host.kernel.mounts].filter((m) => privileged(s) || m === s.mount).map((m: Mount) => ({
      name: m.name, ruleset: m.ruleset, rulesetName: s.state.host.kernel.rules.name(m.ruleset) ?? null,
      jail: m.jail, readOnly: m.readOnly, yours: m === s.mount,
    })),
    [M.drivers]: (s) => {
      needPrivilege(s, M.drivers);
      const host = s.state.host;
      const drivers = host.drivers.map((d) => {
        const plugin = host.plugins.find((pl) => pl.drivers.includes(d));
        const unavailable = d.unavailable;
        return { name: d.name, plugin: plugin?.name ?? null, version: plugin?.version ?? null, note: unavailable ? unavailable.message : null, isolation: d.isolation ?? null };
      });
      const failures = host.failures.map((f) => ({ plugin: f.plugin, driver: f.driver ?? null, code: (f.error as { code?: string }).code ?? 'EIO', message: f.error.message }));
      return { drivers, failures };
    },
    [M.sysctl]: async (s, p) => {
      const o = obj(p ?? {}, M.sysctl);
      const name = str(o, 'name', M.sysctl, { optional: true, max: 256 });
      const value = str(o, 'value', M.sysctl, { optional: true, max: 4096, empty: true });
      const sc = s.state.host.kernel.sysctl;
      // an unprivileged caller sees only nodes about a device its mount shows it (others: ENOENT)
      const mine = (n: string) => privileged(s) || (sc.list().includes(n) && shows(s, sc.deviceOf(n) ?? ''));
      if (value !== undefined) {
        if (name === undefined) throw devfsError('EINVAL', M.sysctl, undefined, 'a value needs a name');
        if (!mine(name)) throw devfsError('ENOENT', M.sysctl, name, `unknown oid '${name}'`);
        const old = sc.read(name);
        await sc.writeAsync(name, value, s.cred); // an isolated plugin's node is set in its worker
        return [{ name, value: sc.read(name), old }];
      }
      const names = (name !== undefined && sc.list().includes(name) ? [name] : sc.list(name)).filter(mine);
      if (name !== undefined && names.length === 0) throw devfsError('ENOENT', M.sysctl, name, `unknown oid '${name}'`);
      if (names.length === 1 && names[0] === name) return [{ name, value: sc.read(name) }];
      // a listing: one node whose read fails (a plugin's) is a row with its error, not the whole answer
      return names.map((n) => {
        try {
          return { name: n, value: sc.read(n) };
        } catch (err) {
          const e = toDevfsError(err, M.sysctl, n);
          return { name: n, error: { code: e.code, message: reasonOf(e) } };
        }
      });
    },
    [M.events]: (s) => {
      const shown = new Set<string>();
      return s.state.recent.map((e) => eventFor(s, e, shown)).filter((e): e is DevEvent => e !== undefined);
    },
    [M.subscribe]: (s) => {
      if (!s.unsubscribe) {
        const shown = new Set<string>();
        s.unsubscribe = s.state.host.kernel.events.on((e) => {
          const v = eventFor(s, e, shown);
          if (v) s.notify(N.event, v);
        });
      }
      return null;
    },
  };
}

/** A word as the rules tokenizer reads it (quoted when it has blanks or quotes). */
function word(w: string): string {
  return /[\s'"\\#]/.test(w) ? `'${w.replace(/'/g, `'\\''`)}'` : w;
}

/** devfs(8): `rule [-s ruleset] add [rulenum] spec | apply spec | applyset | del rnum | delset | show [rnum] | showsets`. */
function rule(s: Session, argv: string[]): unknown {
  const rules = s.state.host.kernel.rules;
  let i = 0;
  let set: number | string | undefined;
  if (argv[i] === '-s') {
    if (argv[i + 1] === undefined) throw devfsError('EINVAL', 'rule', undefined, '-s needs a ruleset number or name');
    set = /^\d+$/.test(argv[i + 1]) ? Number(argv[i + 1]) : argv[i + 1];
    i += 2;
  }
  const cmd = argv[i++];
  const rest = argv.slice(i);
  const rs = set ?? s.mount.ruleset;
  const needSet = () => {
    if (rs === 0) throw devfsError('EINVAL', 'rule', undefined, 'no ruleset: use -s N or set one on the mount with `devfs ruleset N`');
    return rs;
  };
  const mayChange = () => {
    if (s.cred.uid !== 0) throw devfsError('EPERM', `rule ${cmd}`, undefined, 'only root may change rulesets');
    const home = s.state.host.kernel.mountNamed(mountFor(s.cred, s.state.access));
    if (!home || home.jail) throw devfsError('EPERM', `rule ${cmd}`, undefined, 'a jail cannot change rulesets');
  };
  switch (cmd) {
    case 'add': {
      mayChange();
      if (rest.length === 0) throw devfsError('EINVAL', 'rule add', undefined, 'missing rule');
      const rnum = rules.add(needSet(), rest.map(word).join(' '));
      return { ruleset: rules.resolve(needSet()), rule: rnum };
    }
    case 'del': {
      mayChange();
      if (rest.length !== 1 || !/^\d+$/.test(rest[0])) throw devfsError('EINVAL', 'rule del', undefined, 'usage: rule del RULENUM');
      rules.del(needSet(), Number(rest[0]));
      return null;
    }
    case 'delset':
      mayChange();
      rules.delset(needSet());
      return null;
    case 'show': {
      const lines = rules.show(needSet());
      if (rest.length === 0) return lines;
      const want = Number(rest[0]);
      return lines.filter((l) => Number(l.split(/\s+/)[0]) === want);
    }
    case 'showsets': // numbers with their names (`10 devfsrules_jail`)
      return rules.list().map((n) => (rules.name(n) ? `${n} ${rules.name(n)}` : String(n)));
    case 'apply':
      if (rest.length === 0) throw devfsError('EINVAL', 'rule apply', undefined, 'missing rule');
      s.mount.applyRule(rest.map(word).join(' '), s.cred);
      return null;
    case 'applyset':
      s.mount.applyRuleset(needSet(), s.cred);
      return null;
    default:
      throw devfsError('EINVAL', 'rule', cmd, `unknown rule command '${cmd ?? ''}' (add, apply, applyset, del, delset, show, showsets)`);
  }
}
