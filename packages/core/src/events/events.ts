/**
 * The event stream of the kernel side. `emit` only queues (it is called from inside make_dev,
 * destroy_dev, lookup, open...); delivery happens later, on a setImmediate drain, in order,
 * first to the configured action rules and then to every listener. A listener that throws or
 * rejects is reported and the others still run; a bounded queue drops what overflows it, counts
 * it (devfsd's overrun_count) and tells listeners with an overrun NOTIFY.
 */
import { devfsError, toDevfsError, wrapError } from '../errors';
import { arg, badArg } from '../validate';
import { startTimer } from '../timer';
import { Accounts } from '../accounts';
import { ActionRunner, ActionScope } from './actions';
import { parseConfig } from './config';
import { ProgramRunner } from './execute';
import { StateStore } from './state-store';
import { EventBuilder, EventRing } from './queue';
import {
  DEV_EVENT_TYPES, DevEvent, DevEventInput, DevEventListener, DevEventType, EventActionHost, EventErrorContext,
  EventErrorHandler, EventsOptions,
} from './types';

/** Default bound of the delivery queue. */
export const DEFAULT_QUEUE_LIMIT = 65536;
/** How many undelivered (deferred, unreceived) events a drain passes for one delivery. */
const SKIP_COST = 64;
/** How long a large, empty queue ring keeps its storage (see EventRing.trim). */
const TRIM_AFTER_MS = 1000;
/** Default EXECUTE time limit, in milliseconds. */
export const DEFAULT_EXEC_TIMEOUT_MS = 10_000;

/** `data` of the NOTIFY an overrun produces: dropped since the last notice, and in all. */
export type OverrunData = {
  overrun: number;
  overrunTotal: number;
};

/** The event stream: listeners, action rules, a bounded queue and its overrun count. */
export class Events {
  private readonly queue = new EventRing();
  private listeners: DevEventListener[] = [];
  private nextSeq = 1;
  private deliveredSeq = 0;
  private scheduled = false;
  private dropped = 0;
  private overruns = 0;
  private actionDepth = 0;
  private closed = false;
  private readonly waiters: Array<{ seq: number; resolve: () => void }> = [];
  private readonly queueLimit: number;
  private readonly batchSize: number;
  private onError?: EventErrorHandler;
  private host?: EventActionHost;
  private readonly actions: ActionRunner;
  private readonly opts: EventsOptions;

  /** Creates an event stream; see EventsOptions for the defaults. */
  constructor(opts: EventsOptions = {}) {
    this.opts = arg.object(opts, 'options', 'events');
    this.queueLimit = positiveInt(opts.queueLimit, DEFAULT_QUEUE_LIMIT, 'queueLimit');
    this.batchSize = positiveInt(opts.batchSize, 1024, 'batchSize');
    this.onError = opts.onError;
    this.host = opts.host;
    const programs = new ProgramRunner(
      positiveInt(opts.execTimeoutMs, DEFAULT_EXEC_TIMEOUT_MS, 'execTimeoutMs'),
      positiveInt(opts.execConcurrency, 8, 'execConcurrency'));
    this.actions = new ActionRunner({
      host: () => this.host,
      report: (err, ctx) => this.report(err, ctx),
      asAction: (fn) => {
        this.actionDepth++;
        try {
          return fn();
        } finally {
          this.actionDepth--;
        }
      },
    }, programs);
  }

  /** Sets (or replaces) the kernel side that PERMISSIONS, SYMLINK, RESTORE and MODLOAD act on. */
  setActionHost(host: EventActionHost | undefined): void {
    arg.optObject(host, 'action host', 'events.setActionHost');
    this.host = host;
  }

  /** Sets (or with undefined, removes) the failure reporter; without one, failures are process warnings. */
  setErrorHandler(onError: EventErrorHandler | undefined): void {
    if (onError !== undefined) arg.fn(onError, 'error handler', 'events.setErrorHandler');
    this.onError = onError;
  }

  /** Subscribes `listener` to every event delivered from now on; returns the unsubscribe function. */
  on(listener: DevEventListener): () => void {
    if (typeof listener !== 'function') throw devfsError('EINVAL', 'events.on', undefined, 'listener must be a function');
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /**
   * Resolves with the next delivered event of `type` (that satisfies `predicate`), or rejects
   * with ETIMEDOUT after `timeoutMs` when given.
   */
  once(type: DevEventType, predicate?: (e: DevEvent) => boolean, timeoutMs?: number): Promise<DevEvent> {
    try {
      arg.check(type, isEventType, 'event type', DEV_EVENT_TYPES.join('|'), 'events.once');
      if (predicate !== undefined) arg.fn(predicate, 'predicate', 'events.once', type);
      if (timeoutMs !== undefined && !(typeof timeoutMs === 'number' && timeoutMs >= 0)) {
        throw badArg('timeout', 'a number of milliseconds >= 0', timeoutMs, 'events.once', type);
      }
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => {
      let timer: (() => void) | undefined;
      const off = this.on((e) => {
        if (e.type !== type || (predicate && !predicate(e))) return;
        off();
        timer?.();
        resolve(e);
      });
      if (timeoutMs !== undefined && timeoutMs !== Infinity) {
        timer = startTimer(timeoutMs, () => {
          off();
          reject(devfsError('ETIMEDOUT', 'events.once', type, `no ${type} event within ${timeoutMs} ms`));
        });
      }
    });
  }

  /**
   * True when an event of `type` would reach anyone now: a listener is subscribed or an action
   * rule acts on that type. The kernel asks before building an event nobody receives (a stat's
   * lookup miss); an event emitted anyway is delivered as usual.
   */
  wants(type: DevEventType): boolean {
    if (!isEventType(type)) throw badArg('event type', DEV_EVENT_TYPES.join('|'), type, 'events.wants');
    return this.listeners.length > 0 || this.actions.wants(type);
  }

  /**
   * Queues an event (called by the kernel; O(1), never runs a listener, never throws for a full
   * queue). Returns the event's sequence number, or 0 when it was dropped (overrun) or the stream
   * is closed.
   */
  emit(e: DevEventInput): number {
    if (typeof e !== 'object' || e === null || !isEventType(e.type) || typeof e.name !== 'string') {
      throw badArg('event', '{ type, name } with a known type', e, 'events.emit');
    }
    if (this.closed) return 0;
    const scope: ActionScope = this.actionDepth > 0 ? 'copy-only' : 'all';
    return this.enqueue(e, scope);
  }

  /**
   * @internal emit for the kernel's own events (REGISTER, UNREGISTER): what the event is made of
   * is queued — `build` (a module-level function) and its three arguments — and the event is built
   * when it is delivered, only if a listener or an action rule then receives its type. Numbering,
   * queueing time, the queue bound and late listeners are as for `emit`; a make_dev/destroy_dev
   * pair nobody listens to allocates no event. `clock` false: the caller has just read the clock
   * and `build` sets `time` from that reading (the stream reads none).
   */
  emitDeferred<A, B, C>(type: DevEventType, build: EventBuilder<A, B, C>, a: A, b: B, c: C, clock = true): number {
    if (this.closed || !this.admit()) return 0;
    const seq = this.nextSeq++;
    this.queue.push(build, a, b, c, type, this.actionDepth > 0 ? 'copy-only' : 'all', seq, clock);
    this.schedule();
    return seq;
  }

  /**
   * For the kernel's open path on a lookup miss: runs the MODLOAD rules matching that LOOKUP now
   * (not waiting for delivery). `lookupSeq` names the LOOKUP event the miss already queued: its
   * MODLOAD runs here instead of at delivery, and no second LOOKUP is emitted; without one a
   * LOOKUP for `name` is emitted. Resolves true when a driver package was loaded, so the caller
   * should retry the lookup once. Failures are reported, never thrown.
   */
  async autoload(name: string, mount?: string, lookupSeq?: number): Promise<boolean> {
    arg.string(name, 'name', 'events.autoload');
    if (mount !== undefined) arg.string(mount, 'mount', 'events.autoload', name);
    if (lookupSeq !== undefined) arg.int(lookupSeq, 'lookupSeq', 'events.autoload', 1, Number.MAX_SAFE_INTEGER, name);
    if (this.closed) return false;
    const q = lookupSeq === undefined ? -1 : this.queue.find(lookupSeq);
    const queued = q < 0 ? undefined : this.queue.built(q);
    if (queued !== undefined && queued.type === 'LOOKUP') {
      if (this.queue.scope(q) === 'all') this.queue.setScope(q, 'skip-modload');
      return this.actions.modloadFor(queued);
    }
    const input: DevEventInput = mount === undefined ? { type: 'LOOKUP', name } : { type: 'LOOKUP', name, mount };
    // Already delivered (its MODLOAD has run; loading is idempotent) or never emitted.
    const seq = lookupSeq ?? this.enqueue(input, 'skip-modload');
    return this.actions.modloadFor({ seq, ...input });
  }

  /** Events dropped because the queue was full, since this stream was created. */
  get overrunCount(): number {
    return this.overruns;
  }

  /** Events waiting for delivery. */
  get pending(): number {
    return this.queue.size;
  }

  /**
   * Parses devfsd-style action rules (see config.ts and the package README) and appends them after
   * the rules already loaded. All-or-nothing: on error (EINVAL naming `source:line:column`, or
   * the state file's error) nothing changes.
   */
  loadConfig(text: string, source = '<config>'): void {
    if (typeof text !== 'string') throw devfsError('EINVAL', 'events.loadConfig', source, 'config text must be a string');
    let accounts: Accounts | undefined;
    const rules = parseConfig(text, source, () =>
      (accounts ??= new Accounts(this.opts.passwdFile, this.opts.groupFile)));
    const stores = new Map<string, StateStore>();
    for (const r of rules) {
      if (r.action.kind !== 'COPY' && r.action.kind !== 'RESTORE') continue;
      if (stores.has(r.action.file)) continue;
      try {
        stores.set(r.action.file, this.actions.openStore(r.action.file));
      } catch (err) {
        throw wrapError(err, 'events.loadConfig', r.action.file, r.where);
      }
    }
    this.actions.addRules(rules, [...stores.values()]);
  }

  /** Removes every loaded action rule. */
  clearConfig(): void {
    this.actions.clearRules();
  }

  /** Number of loaded action rules. */
  get ruleCount(): number {
    return this.actions.size;
  }

  /**
   * Resolves once every event queued before the call has been delivered and the background work
   * it started (EXECUTE programs, module loads, state-file writes) has finished.
   */
  async flush(): Promise<void> {
    // A pending overrun notice will take the next number: wait for it too.
    const target = this.dropped > 0 ? this.nextSeq : this.nextSeq - 1;
    if (this.deliveredSeq < target) {
      await new Promise<void>((resolve) => this.waiters.push({ seq: target, resolve }));
    }
    await this.actions.idle();
  }

  /** Stops accepting events, delivers what is queued and waits for background work. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
    this.listeners = [];
  }

  private enqueue(e: DevEventInput, scope: ActionScope): number {
    if (!this.admit()) return 0;
    const seq = this.nextSeq++;
    const event = sealEvent(e, seq);
    this.queue.push(event, undefined, undefined, undefined, event.type, scope, seq, false);
    this.schedule();
    return seq;
  }

  /**
   * True when one more event fits the queue (a pending overrun notice is queued first); false
   * when it is dropped (and counted).
   */
  private admit(): boolean {
    const room = this.queueLimit - this.pending;
    if (room < (this.dropped > 0 ? 2 : 1)) {
      this.dropped++;
      this.overruns++;
      return false;
    }
    if (this.dropped > 0) this.pushOverrunNotice();
    return true;
  }

  private pushOverrunNotice(): void {
    const data: OverrunData = { overrun: this.dropped, overrunTotal: this.overruns };
    this.dropped = 0;
    const event: DevEvent = Object.freeze({ seq: this.nextSeq++, type: 'NOTIFY', name: '', data, time: Date.now() });
    this.queue.push(event, undefined, undefined, undefined, 'NOTIFY', 'all', event.seq, false);
    this.schedule();
  }

  /** The drain as a task, made once: a closure made in `schedule` would cost every emit a context. */
  private readonly drainTask = (): void => this.drain();
  /** A large queue ring left empty after a burst gives its storage back (not at once: bursts repeat). */
  private trimTimer: NodeJS.Timeout | undefined = undefined;
  private readonly trimTask = (): void => {
    this.trimTimer = undefined;
    this.queue.trim();
  };

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.drainTask);
  }

  private drain(): void {
    this.scheduled = false;
    const q = this.queue;
    // A batch is batchSize deliveries; a deferred event nobody receives is never built, and
    // passing it costs 1/SKIP_COST of a delivery (the queue empties at once when nobody listens,
    // so the devices those events hold are not kept alive across collections).
    const budget = this.batchSize * SKIP_COST;
    for (let n = 0; n < budget && q.size > 0;) {
      const i = q.head;
      const seq = q.seq(i);
      const event = q.built(i) ?? (this.listeners.length > 0 || this.actions.wants(q.type(i)) ? q.event(i) : undefined);
      const scope = q.scope(i);
      q.shift();
      if (event !== undefined) {
        this.deliver(event, scope);
        n += SKIP_COST;
      } else n++;
      this.deliveredSeq = seq;
    }
    if (this.pending === 0 && this.dropped > 0) this.pushOverrunNotice();
    if (q.size === 0 && q.large && this.trimTimer === undefined) this.trimTimer = setTimeout(this.trimTask, TRIM_AFTER_MS).unref();
    if (this.pending > 0) this.schedule();
    this.wake();
  }

  private deliver(event: DevEvent, scope: ActionScope): void {
    try {
      this.actions.run(event, scope);
    } catch (err) {
      this.report(toDevfsError(err, 'events.actions', event.name), { event, source: 'actions' });
    }
    for (const listener of this.listeners) {
      try {
        const r = listener(event) as unknown;
        if (r && typeof (r as Promise<void>).then === 'function') {
          (r as Promise<void>).then(undefined, (err) =>
            this.report(toDevfsError(err, 'events.listener', event.name), { event, source: 'listener' }));
        }
      } catch (err) {
        this.report(toDevfsError(err, 'events.listener', event.name), { event, source: 'listener' });
      }
    }
  }

  private wake(): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i].seq <= this.deliveredSeq) this.waiters.splice(i, 1)[0].resolve();
    }
  }

  /** Hands a failure to onError, or to a process warning; never throws. */
  private report(err: Error, ctx: EventErrorContext): void {
    if (this.onError) {
      try {
        this.onError(err, ctx);
        return;
      } catch (hookErr) {
        warn(toDevfsError(hookErr, 'events.onError'), 'onError');
      }
    }
    warn(err, ctx.rule ? `${ctx.source} (${ctx.rule})` : ctx.source);
  }
}

/** Emits a process warning (string form, so that it works with errors from any realm). */
function warn(err: Error, source: string): void {
  try {
    const code = (err as { code?: unknown }).code;
    process.emitWarning(`devfs events: ${source}: ${err.message}`,
      { type: 'DevfsEventWarning', code: typeof code === 'string' ? code : undefined });
  } catch {
    /* nothing left to report to */
  }
}

function isEventType(t: unknown): t is DevEventType {
  return (DEV_EVENT_TYPES as readonly unknown[]).includes(t);
}

function positiveInt(v: number | undefined, dflt: number, what: string): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < 1) throw devfsError('EINVAL', 'events', what, `${what} must be a positive integer`);
  return v;
}

/**
 * The delivered, frozen event: DevEvent's fields of `e` in their declared order, then seq and
 * time. Built field by field rather than spread: V8 gave each spread-and-frozen kernel event a
 * hidden class of its own (65k Maps for 65k queued events in a make_dev/destroy_dev loop, each
 * copied by every scavenge), which kept two make_dev threads from scaling; built like this,
 * events with the same fields share one.
 */
function sealEvent(e: DevEventInput, seq: number): DevEvent {
  const ev: { -readonly [K in keyof DevEvent]?: DevEvent[K] } = { type: e.type, name: e.name };
  if (e.mount !== undefined) ev.mount = e.mount;
  if (e.ino !== undefined) ev.ino = e.ino;
  if (e.uid !== undefined) ev.uid = e.uid;
  if (e.gid !== undefined) ev.gid = e.gid;
  if (e.mode !== undefined) ev.mode = e.mode;
  if (e.data !== undefined) ev.data = e.data;
  ev.seq = seq;
  ev.time = Date.now();
  return Object.freeze(ev) as DevEvent;
}
