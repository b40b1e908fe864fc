import fc from 'fast-check';
import { Model, ModelError } from './model';
import { Real } from './real';
import { CREDS, KINDS, Op } from './ops';

/** What a step returned: a value, or the code it failed with. */
type Outcome = { ok: unknown } | { code: string };

function pick<T>(list: T[], i: number): T | undefined {
  return list.length ? list[i % list.length] : undefined;
}

/** Runs `op` on the model. */
function runModel(model: Model, op: Op): unknown {
  const m = 'm' in op ? pick(model.mounts, op.m) : undefined;
  if ('m' in op && !m) return undefined;
  const cred = 'cred' in op ? CREDS[op.cred] : CREDS[0];
  switch (op.op) {
    case 'make_dev': model.makeDev(op.name, KINDS[op.kind], op.uid, op.gid, op.mode, op.forUid); return undefined;
    case 'make_dev_alias': { const d = pick(model.devs, op.dev); if (d) model.makeDevAlias(d, op.name); return undefined; }
    case 'destroy_dev': { const d = pick(model.devs, op.dev); if (d) model.destroyDev(d); return undefined; }
    case 'dev_depends': {
      const p = pick(model.devs, op.parent), c = pick(model.devs, op.child);
      if (p && c) model.devDepends(p, c);
      return undefined;
    }
    case 'mount': model.mount(op.ruleset, op.jail, op.readOnly); return undefined;
    case 'close': { const h = pick(model.handles, op.h); if (h) model.close(h); return undefined; }
    case 'read': { const h = pick(model.handles, op.h); return h ? model.read(h) : undefined; }
    case 'wrap': return undefined;
    case 'unmount': return model.unmount(m!);
    case 'chmod': return model.chmod(m!, op.path, op.mode, cred);
    case 'chown': return model.chown(m!, op.path, op.uid, op.gid, cred);
    case 'unlink': return model.unlink(m!, op.path, cred);
    case 'mknod': return model.mknod(m!, op.path, cred);
    case 'symlink': return model.symlink(m!, op.target, op.path, cred);
    case 'setRuleset': return model.setRuleset(m!, op.ruleset, cred);
    case 'applyRule': return model.applyRule(m!, op.spec, cred);
    case 'applyRuleset': return model.applyRuleset(m!, op.ruleset, cred);
    case 'stat': return model.summary(m!, model.resolve(m!, op.path, cred, op.follow, true));
    case 'readdir': return model.readdir(m!, op.path, cred);
    case 'readlink': return model.readlink(m!, op.path, cred);
    case 'open': return model.open(m!, op.path, op.flags, cred);
    case 'rename': return model.rename(m!);
  }
}

/** How often each operation ran and failed with each code (printed with FC_STATS=1: the coverage). */
export const stats = new Map<string, number>();
const count = (key: string): void => { stats.set(key, (stats.get(key) ?? 0) + 1); };

/**
 * One step on both sides: the outcomes must be equal (value or error code, and a real error must
 * have Node's shape), then every live mount's tree must equal the model's, every live device's
 * open count the handles the model holds on it, and every device's d_close count the model's.
 */
export async function step(model: Model, real: Real, op: Op): Promise<void> {
  count(op.op);
  let want: Outcome;
  try {
    want = { ok: runModel(model, op) };
  } catch (err) {
    if (!(err instanceof ModelError)) throw err;
    want = { code: err.code };
    count(`${op.op}:${err.code}`);
  }
  let got: Outcome;
  try {
    got = { ok: await real.run(op) };
  } catch (err) {
    const e = err as { code?: unknown; errno?: unknown; message?: string };
    if (typeof e.code !== 'string' || typeof e.errno !== 'number') throw new Error(`${JSON.stringify(op)}: uncoded error ${e.message}`);
    got = { code: e.code };
  }
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    throw new Error(`${JSON.stringify(op)}: real ${JSON.stringify(got)}, model ${JSON.stringify(want)}`);
  }
  model.mounts.forEach((mm, i) => {
    if (mm.unmounted) return;
    const g = real.tree(real.mounts[i]).join('\n');
    const w = model.tree(mm).join('\n');
    if (g !== w) throw new Error(`after ${JSON.stringify(op)}, mount #${i} differs:\n--- real\n${g}\n--- model\n${w}`);
  });
  model.devs.forEach((d, i) => {
    const r = real.devs[i];
    if (d.live && r.usecount !== d.opens) throw new Error(`after ${JSON.stringify(op)}: ${d.name} usecount ${r.usecount}, model ${d.opens}`);
    if ((real.closes.get(r) ?? 0) !== d.closes) throw new Error(`after ${JSON.stringify(op)}: ${d.name} d_close ran ${real.closes.get(r) ?? 0} times, model ${d.closes}`);
  });
}

/** The event streams must be equal (checked once per run: delivery is asynchronous). */
export async function checkEvents(model: Model, real: Real): Promise<void> {
  await real.kernel.events.flush();
  const g = real.events.join('\n');
  const w = model.events.join('\n');
  if (g !== w) throw new Error(`events differ:\n--- real\n${g}\n--- model\n${w}`);
}

/** A fresh pair: the model and a kernel, each with one plain mount, then `initial` steps on both. */
export async function start(initial: readonly Op[] = []): Promise<{ model: Model; real: Real }> {
  const model = new Model();
  const real = new Real();
  model.mount(0, false, false);
  real.mounts.push(real.kernel.mount());
  for (const op of initial) await step(model, real, op);
  return { model, real };
}

/** A fast-check command running one step (printed as the step's JSON, ready for a regression test). */
export class StepCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly op: Op) {}
  check(): boolean {
    return true;
  }
  run(model: Model, real: Real): Promise<void> {
    return step(model, real, this.op);
  }
  toString(): string {
    return JSON.stringify(this.op);
  }
}

/** Replays a fixed sequence of steps from a fresh start (regression tests), disposing the kernel after. */
export async function replay(ops: Op[]): Promise<void> {
  const { model, real } = await start();
  try {
    for (const op of ops) await step(model, real, op);
    await checkEvents(model, real);
  } finally {
    await real.dispose();
  }
}
