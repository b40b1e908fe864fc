/**
 * Runs the configured action rules for one delivered event: every rule whose event list and
 * regex match, in file order, until IGNORE. Each action's failure is reported and the next rule
 * still runs. EXECUTE, MODLOAD and state writes are started here and finish in the background;
 * `idle()` waits for them.
 */
import { devfsError, toDevfsError } from '../errors';
import { ActionRule } from './config';
import { ProgramRunner } from './execute';
import { StateStore } from './state-store';
import { attrsOnly, restoreRefusal, savedFor } from './identity';
import { TemplateVar } from './template';
import { DevEvent, DevEventType, EventActionHost, EventErrorContext } from './types';

/** What the runner needs from its owner (the Events object). */
export interface ActionEnv {
  host(): EventActionHost | undefined;
  report(err: Error, ctx: EventErrorContext): void;
  /** Runs `fn` with the owner's "inside an action" mark set (events emitted meanwhile are tagged). */
  asAction<T>(fn: () => T): T;
}

/** Which actions to run: all, or only the bookkeeping ones (for events an action caused). */
export type ActionScope = 'all' | 'copy-only' | 'skip-modload';

/** The loaded rules and the machinery their actions use. */
export class ActionRunner {
  private rules: ActionRule[] = [];
  private readonly stores = new Map<string, StateStore>();
  private readonly modloads = new Map<string, Promise<void>>();
  private readonly background = new Set<Promise<unknown>>();

  constructor(private readonly env: ActionEnv, readonly programs: ProgramRunner) {}

  /** The open state store of `file`, or a new one not yet registered (throws like StateStore.open). */
  openStore(file: string): StateStore {
    return this.stores.get(file) ?? StateStore.open(file, (err) => this.env.report(err, { source: 'COPY' }));
  }

  /** Appends parsed rules together with the state stores they use (from `openStore`). */
  addRules(rules: ActionRule[], stores: StateStore[] = []): void {
    for (const s of stores) if (!this.stores.has(s.file)) this.stores.set(s.file, s);
    this.rules = this.rules.concat(rules);
  }

  private store(file: string): StateStore {
    const s = this.stores.get(file);
    if (!s) throw devfsError('EBADF', 'events.state', file, 'state file was not opened by loadConfig');
    return s;
  }

  /** Forgets every rule (open state stores stay, their pending writes complete). */
  clearRules(): void {
    this.rules = [];
  }

  /** Number of loaded rules. */
  get size(): number {
    return this.rules.length;
  }

  /** True when a loaded rule acts on events of `type`. */
  wants(type: DevEventType): boolean {
    for (const r of this.rules) if (r.events.has(type)) return true;
    return false;
  }

  /** Runs the matching rules for `e`. Never throws. */
  run(e: DevEvent, scope: ActionScope = 'all'): void {
    for (const rule of this.rules) {
      if (!rule.events.has(e.type)) continue;
      const m = rule.regex.exec(e.name);
      if (!m) continue;
      const kind = rule.action.kind;
      if (kind === 'IGNORE') return;
      if (scope === 'copy-only' && kind !== 'COPY') continue;
      if (scope === 'skip-modload' && kind === 'MODLOAD') continue;
      try {
        this.runAction(rule, e, m);
      } catch (err) {
        this.env.report(toDevfsError(err, `events.${kind}`, e.name), { event: e, source: kind, rule: rule.where });
      }
    }
  }

  /**
   * Runs only the MODLOAD rules that match a LOOKUP of `e.name` (up to the first matching IGNORE)
   * and resolves true when at least one package loaded.
   */
  async modloadFor(e: DevEvent): Promise<boolean> {
    const loads: Array<Promise<boolean>> = [];
    for (const rule of this.rules) {
      if (!rule.events.has('LOOKUP')) continue;
      const m = rule.regex.exec(e.name);
      if (!m) continue;
      if (rule.action.kind === 'IGNORE') break;
      if (rule.action.kind !== 'MODLOAD') continue;
      const ctx = { event: e, source: 'MODLOAD', rule: rule.where };
      try {
        const pkg = rule.action.pkg.expand(this.vars(e), m);
        loads.push(this.modload(pkg).then(() => true, (err) => {
          this.env.report(toDevfsError(err, 'events.MODLOAD', pkg), ctx);
          return false;
        }));
      } catch (err) {
        this.env.report(toDevfsError(err, 'events.MODLOAD', e.name), ctx);
      }
    }
    return (await Promise.all(loads)).some(Boolean);
  }

  /** Resolves when every background action started so far (programs, module loads, writes) has finished. */
  async idle(): Promise<void> {
    while (this.background.size) await Promise.allSettled([...this.background]);
    await this.programs.idle();
    for (const s of this.stores.values()) await s.flush();
  }

  private runAction(rule: ActionRule, e: DevEvent, m: RegExpExecArray): void {
    const a = rule.action;
    const ctx: EventErrorContext = { event: e, source: a.kind, rule: rule.where };
    switch (a.kind) {
      case 'PERMISSIONS': {
        const host = this.needHost(a.kind, e);
        this.env.asAction(() => host.setAttrs(e.mount, e.name, { uid: a.uid, gid: a.gid, mode: a.mode }));
        return;
      }
      case 'SYMLINK': {
        const host = this.needHost(a.kind, e);
        const vars = this.vars(e);
        const target = a.target.expand(vars, m);
        const linkname = a.linkname.expand(vars, m);
        this.env.asAction(() => host.symlink(e.mount, target, linkname));
        return;
      }
      case 'EXECUTE': {
        const vars = this.vars(e);
        const argv = a.argv.map((t) => t.expand(vars, m));
        this.programs.run(argv, (err, pid) => {
          if (err) this.env.report(err, { ...ctx, pid });
        });
        return;
      }
      case 'MODLOAD': {
        const pkg = a.pkg.expand(this.vars(e), m);
        this.track(this.modload(pkg).catch((err) => this.env.report(toDevfsError(err, 'events.MODLOAD', pkg), ctx)));
        return;
      }
      case 'COPY': {
        // a device that belongs to whoever caused it is never saved (nor kept from an older save)
        const saved = savedFor(e);
        if (saved) this.store(a.file).set(e.mount, e.name, saved);
        else this.store(a.file).delete(e.mount ?? '', e.name);
        return;
      }
      case 'RESTORE': {
        const store = this.store(a.file);
        const saved = store.lookup(e.name);
        if (saved.length === 0) return;
        const host = this.needHost(a.kind, e);
        for (const { mount, attrs } of saved) {
          const refusal = restoreRefusal(attrs, e);
          if (refusal !== undefined) {
            // persistence never grants: state that does not match this device is dropped, and said so
            store.delete(mount, e.name);
            this.env.report(devfsError('EPERM', 'events.RESTORE', e.name, `saved state for mount '${mount}' dropped: ${refusal}`), ctx);
            continue;
          }
          try {
            this.env.asAction(() => host.setAttrs(mount === '' ? undefined : mount, e.name, attrsOnly(attrs)));
          } catch (err) {
            this.env.report(toDevfsError(err, 'events.RESTORE', e.name), ctx);
          }
        }
        return;
      }
      case 'IGNORE':
        return;
    }
  }

  /** One load per package at a time: concurrent requests share the promise. */
  private modload(pkg: string): Promise<void> {
    let p = this.modloads.get(pkg);
    if (!p) {
      const host = this.env.host();
      if (!host) return Promise.reject(devfsError('ENOSYS', 'events.MODLOAD', pkg, 'no action host set'));
      p = Promise.resolve().then(() => host.modload(pkg)).finally(() => this.modloads.delete(pkg));
      this.modloads.set(pkg, p);
    }
    return p;
  }

  private track(p: Promise<unknown>): void {
    this.background.add(p);
    p.finally(() => this.background.delete(p)).catch(() => undefined);
  }

  private needHost(kind: string, e: DevEvent): EventActionHost {
    const host = this.env.host();
    if (!host) throw devfsError('ENOSYS', `events.${kind}`, e.name, 'no action host set');
    return host;
  }

  /** Substitution values of an event; mount paths are asked of the host once, when needed. */
  private vars(e: DevEvent): (v: TemplateVar) => string {
    let mntpt: string | undefined;
    const mountPath = () => {
      if (mntpt === undefined) {
        const host = this.env.host();
        mntpt = host ? host.mountPath(e.mount) : '/dev';
      }
      return mntpt;
    };
    return (v) => {
      switch (v) {
        case 'devname': return e.name;
        case 'mntpt': return mountPath();
        case 'devpath': return `${mountPath().replace(/\/+$/, '')}/${e.name}`;
        case 'uid': return e.uid === undefined ? '' : String(e.uid);
        case 'gid': return e.gid === undefined ? '' : String(e.gid);
        case 'mode': return e.mode === undefined ? '' : e.mode.toString(8);
        case 'mount': return e.mount ?? '';
        case 'event': return e.type;
        case 'ino': return e.ino === undefined ? '' : String(e.ino);
      }
    };
  }
}
