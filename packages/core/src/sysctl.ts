import type { Cred } from './cred';
import { ROOT } from './cred';
import { devfsError, DevfsError, wrapError } from './errors';
import { arg } from './validate';

/** A published sysctl value. `set` validates and throws on a bad value (reported as EINVAL). */
export interface SysctlNode {
  get(): string | number;
  set?(v: string): void;
  /**
   * For a node whose value is set elsewhere (an isolated plugin's, set in its worker) instead of
   * `set`: `writeAsync` awaits it, and its rejection is the write's error as it is (EINVAL for a
   * value the node refuses); the synchronous `write` refuses such a node (ENOTSUP).
   */
  setAsync?(v: string): Promise<void>;
  description?: string;
  /**
   * The device this node describes (e.g. 'tap0' for net.link.tap.tap0). A caller that is not
   * privileged sees a node only when it names a device visible in that caller's mount.
   */
  device?: string;
}

const NAME_RE = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_:-]+)*$/;

/** A small named-value tree drivers publish into (`net.link.tap.tap0`, `kern.devfs.generation`). */
export class Sysctl {
  private readonly nodes = new Map<string, SysctlNode>();

  /** Publishes `name`; returns the function that removes it. EEXIST if taken, EINVAL if malformed. */
  create(name: string, node: SysctlNode): () => void {
    if (!NAME_RE.test(arg.string(name, 'sysctl name', 'sysctl.create'))) throw devfsError('EINVAL', 'sysctl.create', name, 'malformed sysctl name');
    arg.fn(arg.object<SysctlNode>(node, 'sysctl node', 'sysctl.create', name).get, 'get', 'sysctl.create', name);
    if (node.set !== undefined) arg.fn(node.set, 'set', 'sysctl.create', name);
    if (node.setAsync !== undefined) arg.fn(node.setAsync, 'setAsync', 'sysctl.create', name);
    arg.optString(node.description, 'description', 'sysctl.create', '', name);
    arg.optString(node.device, 'device', 'sysctl.create', '', name);
    if (this.nodes.has(name)) throw devfsError('EEXIST', 'sysctl.create', name);
    this.nodes.set(name, node);
    return () => {
      if (this.nodes.get(name) === node) this.nodes.delete(name);
    };
  }

  /** Current value of `name` (ENOENT if unknown). */
  read(name: string): string | number {
    return this.node(name, 'sysctl.read').get();
  }

  /**
   * Sets `name` from its string form. Non-root → EPERM; read-only node → EPERM; a value the node
   * rejects → EINVAL (the node must leave its value unchanged); a node set asynchronously (an
   * isolated plugin's) → ENOTSUP (use `writeAsync`).
   */
  write(name: string, value: string, cred: Cred = ROOT): void {
    const node = this.writable(name, value, cred);
    if (!node.set) throw devfsError('ENOTSUP', 'sysctl.write', name, 'this sysctl is set asynchronously (Sysctl.writeAsync)');
    try {
      node.set(value);
    } catch (err) {
      if (err instanceof DevfsError && err.code !== 'EINVAL') throw err;
      throw wrapError(err, 'sysctl.write', name, `invalid value ${value.length > 64 ? `of ${value.length} characters` : `'${value}'`} for ${name}`, 'EINVAL');
    }
  }

  /**
   * As `write`, and the way to write a node that is set asynchronously (`setAsync`: an isolated
   * plugin's): resolves once the value is set. The same checks and errors as `write`.
   */
  async writeAsync(name: string, value: string, cred: Cred = ROOT): Promise<void> {
    const node = this.writable(name, value, cred);
    if (node.setAsync) await node.setAsync(value);
    else this.write(name, value, cred);
  }

  /** Names under `prefix` (all when omitted), sorted. */
  list(prefix = ''): string[] {
    arg.string(prefix, 'prefix', 'sysctl.list');
    const out: string[] = [];
    for (const k of this.nodes.keys()) {
      if (prefix === '' || k === prefix || k.startsWith(prefix.endsWith('.') ? prefix : prefix + '.')) out.push(k);
    }
    return out.sort();
  }

  /** The device `name` describes, if it names one (ENOENT if the node is unknown). */
  deviceOf(name: string): string | undefined {
    return this.node(name, 'sysctl.read').device;
  }

  /** Description of `name`, if it has one. */
  describe(name: string): string | undefined {
    return this.node(name, 'sysctl.describe').description;
  }

  /** The node `name` if `cred` may write it `value` (ENOENT, EPERM for non-root or a read-only node, EINVAL for a value that is not a string). */
  private writable(name: string, value: string, cred: Cred): SysctlNode {
    const node = this.node(name, 'sysctl.write');
    if (arg.cred(cred, 'sysctl.write', name).uid !== 0) throw devfsError('EPERM', 'sysctl.write', name, 'only root may write sysctls');
    if (!node.set && !node.setAsync) throw devfsError('EPERM', 'sysctl.write', name, 'read-only sysctl');
    arg.string(value, 'value', 'sysctl.write', name);
    return node;
  }

  private node(name: string, syscall: string): SysctlNode {
    arg.string(name, 'sysctl name', syscall);
    const n = this.nodes.get(name);
    if (!n) throw devfsError('ENOENT', syscall, name, 'no such sysctl');
    return n;
  }
}
