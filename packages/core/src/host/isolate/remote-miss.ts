/**
 * The miss hooks (`kernel.onMiss`) an isolated plugin registers, forwarded like its clone
 * handlers: the worker announces each hook it adds and removes, and while any is there the
 * daemon's kernel has one miss hook of its own that asks the worker (`miss`) and waits for the
 * answer, at most callTimeoutMs (then the open fails with ETIMEDOUT); a worker that is gone
 * answers false. The plugin's hooks run in the worker in the order it added them, with no
 * `lookupSeq` (the LOOKUP the miss emitted is in the daemon's stream, not the worker's).
 */
import type { Kernel } from '../../devfs';
import { MissHooks } from '../../kernel/miss-hooks';
import { devfsError, DevfsError } from '../../errors';
import { arg } from '../../validate';
import type { MissHookEvent } from './protocol';
import type { CallTarget } from './proxy';

/**
 * The worker's side: wraps `k.onMiss` so the plugin's hooks are kept (in the returned MissHooks,
 * which the worker runs for the daemon's `miss` requests) and announced through `post`. The
 * plugin sees the same method: the same argument check, a remover.
 */
export function forwardMissHooks(k: Pick<Kernel, 'onMiss'>, post: (m: MissHookEvent) => void): MissHooks {
  const hooks = new MissHooks();
  let next = 0;
  k.onMiss = (hook) => {
    arg.fn(hook, 'hook', 'onMiss');
    const id = ++next;
    const remove = hooks.add(hook);
    post({ ev: 'misshook', hook: id });
    let live = true;
    return () => {
      if (!live) return;
      live = false;
      remove();
      post({ ev: 'misshook-gone', hook: id });
    };
  };
  return hooks;
}

/** The daemon's side: one kernel miss hook while the worker has any. */
export class RemoteMissHooks {
  private readonly ids = new Set<number>();
  private remove: (() => void) | undefined;

  /** `label` and `timeoutMs` (the worker's callTimeoutMs) name the plugin and the wait in a timeout's message. */
  constructor(private readonly kernel: Pick<Kernel, 'onMiss'>, private readonly target: Pick<CallTarget, 'call'>,
    private readonly label: string, private readonly timeoutMs: number) {}

  /** Applies one of the worker's messages. */
  on(m: MissHookEvent): void {
    if (m.ev === 'misshook') {
      this.ids.add(m.hook);
      this.remove ??= this.kernel.onMiss((name) => this.ask(name));
      return;
    }
    this.ids.delete(m.hook);
    if (this.ids.size === 0) this.clear();
  }

  /** Drops the kernel's hook (the worker is gone, or has no hook left). */
  clear(): void {
    this.ids.clear();
    this.remove?.();
    this.remove = undefined;
  }

  /** True when one of the worker's hooks loaded something; ETIMEDOUT when the worker did not answer in time; false when it is gone. */
  private ask(name: string): Promise<boolean> {
    return this.target.call({ op: 'miss', name }, 0).then((r) => r.v === true, (err: DevfsError) => {
      if (err.code !== 'ETIMEDOUT') return false;
      throw devfsError('ETIMEDOUT', 'open', name, `the miss hook of isolated plugin ${this.label} did not answer within ${this.timeoutMs} ms`);
    });
  }
}
