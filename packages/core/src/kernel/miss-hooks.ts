/**
 * Async hook run on a lookup miss before open retries once (MODLOAD). Resolves true if it loaded
 * something. `lookupSeq` is the sequence number of the LOOKUP event the miss already emitted
 * (absent when none was), so a hook acts on that event instead of emitting another.
 */
export type MissHook = (name: string, lookupSeq?: number) => Promise<boolean>;

/** The miss hooks of a registry, run in the order they were added. */
export class MissHooks {
  private readonly hooks: MissHook[] = [];

  /** Adds a hook; returns its remover. */
  add(hook: MissHook): () => void {
    this.hooks.push(hook);
    return () => {
      const i = this.hooks.indexOf(hook);
      if (i >= 0) this.hooks.splice(i, 1);
    };
  }

  /**
   * Runs every hook; true when one of them loaded something. A failing hook is reported and
   * skipped, except one that timed out (ETIMEDOUT: an isolated plugin's hook that did not answer
   * in time): when no hook loaded anything, that error is thrown (the open fails with it, not ENOENT).
   */
  async run(name: string, lookupSeq?: number): Promise<boolean> {
    let any = false;
    let timedOut: unknown;
    for (const h of this.hooks) {
      try {
        if (await h(name, lookupSeq)) any = true;
      } catch (err) {
        if ((err as { code?: unknown }).code === 'ETIMEDOUT') timedOut ??= err;
        else process.emitWarning(`devfs: lookup-miss hook for '${name}' failed: ${(err as Error).message}`);
      }
    }
    if (!any && timedOut) throw timedOut;
    return any;
  }
}
