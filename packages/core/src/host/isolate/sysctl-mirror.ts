/**
 * An isolated plugin's sysctl nodes, published in the daemon's tree from snapshots. A sysctl read
 * is synchronous, and a synchronous call into the worker would let a hung plugin stall the
 * daemon; so the worker pushes instead: when the plugin creates a node the worker announces it
 * with its value, then re-reads its nodes every {@link SYSCTL_SAMPLE_MS} and before answering each
 * call that came by message (not the data path's ring reads and writes), and posts only the
 * values that changed. The daemon answers a read from the last snapshot at once. Staleness: a
 * value the plugin changes reaches the daemon within SYSCTL_SAMPLE_MS while the worker's loop
 * runs (before the answer of a message call, e.g. an ioctl, that changed it); a hung worker's values stand still until the watchdog ends it (callTimeoutMs), and
 * then its nodes go (the restarted plugin creates them again). Writes are forwarded: a writable
 * node's mirror has `setAsync`, which asks the worker to write the node and resolves once it has
 * (the new value pushed before the answer), so `Sysctl.writeAsync` (`devfs sysctl NAME=VALUE`)
 * works with the same errors as in process; the synchronous `Sysctl.write` cannot wait for the
 * worker and refuses it (ENOTSUP).
 */
import type { Sysctl, SysctlNode } from '../../sysctl';
import { devfsError, DevfsError, reasonOf, toDevfsError } from '../../errors';
import type { SysctlEvent, SysctlMsg, SysctlValue } from './protocol';
import type { CallTarget } from './proxy';

/** How often the worker re-reads its plugin's nodes (ms): the staleness bound of a snapshot. */
export const SYSCTL_SAMPLE_MS = 50;

/** The worker's side: its plugin's nodes and the values last pushed. */
export interface SysctlPush {
  /** Re-reads every node and posts the values that changed (nothing when none did). */
  sample(): void;
  /** Writes the plugin's node `name` (Sysctl.write's checks and errors; ENOENT for a node not the plugin's). */
  write(name: string, value: string): void;
}

/**
 * Wraps `sysctl.create` (the worker kernel's tree) so every node the plugin creates from now on
 * is announced through `post` and sampled; the plugin sees the same method with the same results
 * (its checks, EEXIST in the worker's own tree, the remover).
 */
export function pushSysctls(sysctl: Sysctl, post: (m: SysctlEvent) => void, sampleMs = SYSCTL_SAMPLE_MS): SysctlPush {
  const nodes = new Map<string, { node: SysctlNode; last: SysctlValue }>();
  let timer: NodeJS.Timeout | undefined;
  const sample = (): void => {
    let changed: [string, SysctlValue][] | undefined;
    for (const [name, n] of nodes) {
      const v = valueOf(n.node, name);
      if (same(v, n.last)) continue;
      n.last = v;
      (changed ??= []).push([name, v]);
    }
    if (changed) post({ ev: 'sysctlv', values: changed });
  };
  const create = sysctl.create.bind(sysctl);
  sysctl.create = (name, node) => {
    const remove = create(name, node);
    const last = valueOf(node, name);
    nodes.set(name, { node, last });
    post({ ev: 'sysctl', name, description: node.description, device: node.device, writable: node.set !== undefined, value: last });
    if (!timer) (timer = setInterval(sample, sampleMs)).unref();
    return () => {
      remove();
      if (nodes.get(name)?.node !== node) return;
      nodes.delete(name);
      post({ ev: 'sysctl-gone', name });
      if (nodes.size > 0) return;
      clearInterval(timer);
      timer = undefined;
    };
  };
  const write = (name: string, value: string): void => {
    if (!nodes.has(name)) throw devfsError('ENOENT', 'sysctl.write', name, 'no such sysctl of this plugin');
    sysctl.write(name, value);
  };
  return { sample, write };
}

/** What a node reads now: a string or number (anything else as its string), or what `get` threw. */
function valueOf(node: SysctlNode, name: string): SysctlValue {
  try {
    const v: unknown = node.get();
    return typeof v === 'number' || typeof v === 'string' ? v : String(v);
  } catch (err) {
    const e = toDevfsError(err, 'sysctl.read', name);
    return { code: e.code, message: reasonOf(e) };
  }
}

function same(a: SysctlValue, b: SysctlValue): boolean {
  if (typeof a !== 'object' || typeof b !== 'object') return Object.is(a, b);
  return a.code === b.code && a.message === b.message;
}

/** The daemon's side: the worker's nodes published in the daemon kernel's tree, answered from the last snapshot. */
export class SysctlMirror {
  private readonly nodes = new Map<string, { value: SysctlValue; remove(): void }>();

  /** `target` forwards writes to the worker; `label` names the plugin in warnings. */
  constructor(private readonly sysctl: Sysctl, private readonly target: Pick<CallTarget, 'call'>, private readonly label: string) {}

  /** Applies one of the worker's messages. */
  on(m: SysctlEvent): void {
    if (m.ev === 'sysctl') this.add(m);
    else if (m.ev === 'sysctl-gone') this.remove(m.name);
    else for (const [name, v] of m.values) { const n = this.nodes.get(name); if (n) n.value = v; }
  }

  /** Removes every node (the worker is gone). */
  clear(): void {
    for (const name of [...this.nodes.keys()]) this.remove(name);
  }

  private add(m: SysctlMsg): void {
    const { name } = m;
    const entry: { value: SysctlValue; remove(): void } = { value: m.value, remove: () => undefined };
    const node: SysctlNode = {
      get: () => {
        const v = entry.value;
        if (typeof v === 'object') throw devfsError(v.code, 'sysctl.read', name, v.message);
        return v;
      },
      description: m.description,
      device: m.device,
    };
    if (m.writable) {
      // the worker's Sysctl.write checks and words the error; the new value arrives before the answer
      node.setAsync = (value) => this.target.call({ op: 'sysctl', name, value }, 0).then(() => undefined, (err: DevfsError) => {
        throw devfsError(err.code, 'sysctl.write', name, reasonOf(err));
      });
    }
    try {
      entry.remove = this.sysctl.create(name, node);
    } catch (err) {
      // a name the daemon already has: the plugin's node stays in its worker only
      process.emitWarning(`devfs: isolated plugin ${this.label}: sysctl '${name}' refused: ${(err as Error).message}`);
      return;
    }
    this.nodes.set(name, entry);
  }

  private remove(name: string): void {
    const n = this.nodes.get(name);
    if (!n) return;
    this.nodes.delete(name);
    n.remove();
  }
}
