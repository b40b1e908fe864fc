import { createKernel, Kernel, Mount, Cdev, Cdevsw, DevFile, DevStat } from '@devfs/core';
import { native, inoOf, genOf } from '@devfs/native';
import { APPLY_SPECS } from './rulesets';
import { RULES_TEXT } from './rulesets';
import { CLONE_NAME, CREDS, KINDS, Op } from './ops';
import { describe as describeEntry, StatSummary } from './model';

/** The system under test: one kernel (no memory devices), the test rulesets, its mounts, devices and handles. */
export class Real {
  readonly kernel: Kernel = createKernel({ memDevices: false });
  readonly mounts: Mount[] = [];
  readonly devs: Cdev[] = [];
  readonly handles: DevFile[] = [];
  /** Delivered events, as the model writes them (`TYPE name @mount#`). */
  readonly events: string[] = [];
  /** d_close calls per device. */
  readonly closes = new Map<Cdev, number>();
  private readonly sws: Cdevsw[] = KINDS.map((d_flags, i) => ({
    d_name: `model${i}`,
    d_flags,
    // a read answers the device's own name, so the test sees which device a handle reaches
    d_read: (dev: Cdev, buf: Buffer) => Buffer.from(dev.si_name).copy(buf),
    d_close: (dev: Cdev) => { this.closes.set(dev, (this.closes.get(dev) ?? 0) + 1); },
  }));

  constructor() {
    this.kernel.rules.load(RULES_TEXT, 'model.rules');
    this.kernel.events.on((e) => {
      this.events.push(`${e.type} ${e.name}${e.mount !== undefined ? ` @${this.mounts.findIndex((m) => m.name === e.mount)}` : ''}`);
    });
    // the cloner: a miss of 'clN' makes it (kind 0, root 0600), as ptmx-style drivers do
    this.kernel.onClone((name) => {
      if (!CLONE_NAME.test(name)) return undefined;
      const d = this.kernel.make_dev(this.sws[0], 0, 0, 0, 0o600, name);
      this.devs.push(d);
      return d;
    }, { prefix: 'cl' });
  }

  /** Runs one step; resolves with its value, rejects with the call's error. */
  async run(op: Op): Promise<unknown> {
    const k = this.kernel;
    switch (op.op) {
      case 'make_dev': {
        const cred = op.forUid === undefined ? undefined : { uid: op.forUid, gid: op.forUid };
        this.devs.push(k.make_dev_s({ devsw: this.sws[op.kind], uid: op.uid, gid: op.gid, mode: op.mode, cred }, op.name));
        return undefined;
      }
      case 'make_dev_alias': return this.withDev(op.dev, (d) => { this.devs.push(k.make_dev_alias(d, op.name)); });
      case 'destroy_dev': return this.withDev(op.dev, (d) => k.destroy_dev(d));
      case 'dev_depends': return this.withDev(op.parent, (p) => this.withDev(op.child, (c) => k.dev_depends(p, c)));
      case 'mount': {
        this.mounts.push(k.mount({ ruleset: op.ruleset, jail: op.jail, readOnly: op.readOnly }));
        return undefined;
      }
      case 'close': return this.withHandle(op.h, (h) => h.close());
      case 'wrap': {
        // inserts and clears outside any kernel, one ring and a bit: every reader falls behind
        for (let i = native.changelogCapacity / 2 + 100; i > 0; i--) {
          const key = native.inodeInsert();
          native.inodeClear(inoOf(key), genOf(key));
        }
        return undefined;
      }
      case 'read': return this.withHandle(op.h, async (h) => {
        const buf = Buffer.alloc(64);
        return buf.subarray(0, await h.read(buf)).toString();
      });
      default: return this.withMount(op.m, (m) => this.mountOp(m, op));
    }
  }

  private async mountOp(m: Mount, op: Op): Promise<unknown> {
    switch (op.op) {
      case 'unmount': return m.unmount();
      case 'chmod': return m.chmod(op.path, op.mode, CREDS[op.cred]);
      case 'chown': return m.chown(op.path, op.uid, op.gid, CREDS[op.cred]);
      case 'unlink': return m.unlink(op.path, CREDS[op.cred]);
      case 'mknod': return m.mknod(op.path, CREDS[op.cred]);
      case 'symlink': return m.symlink(op.target, op.path, CREDS[op.cred]);
      case 'setRuleset': return m.setRuleset(op.ruleset, CREDS[op.cred]);
      case 'applyRule': return m.applyRule(APPLY_SPECS[op.spec].spec, CREDS[op.cred]);
      case 'applyRuleset': return m.applyRuleset(op.ruleset, CREDS[op.cred]);
      case 'stat': return this.summary(m, op.follow ? m.stat(op.path, CREDS[op.cred]) : m.lstat(op.path, CREDS[op.cred]), op.path);
      case 'readdir': return m.readdir(op.path, CREDS[op.cred]).map(({ name, type }) => ({ name, type }));
      case 'readlink': return m.readlink(op.path, CREDS[op.cred]);
      case 'rename': return m.rename(op.path, op.to, CREDS[op.cred]);
      case 'open': {
        this.handles.push(await m.open(op.path, op.flags, CREDS[op.cred]));
        return undefined;
      }
      default: throw new Error(`not a mount step: ${JSON.stringify(op)}`);
    }
  }

  private withDev<T>(i: number, f: (d: Cdev) => T): T | undefined {
    return this.devs.length ? f(this.devs[i % this.devs.length]) : undefined;
  }
  private withMount<T>(i: number, f: (m: Mount) => T): T | undefined {
    return this.mounts.length ? f(this.mounts[i % this.mounts.length]) : undefined;
  }
  private withHandle<T>(i: number, f: (h: DevFile) => T): T | undefined {
    return this.handles.length ? f(this.handles[i % this.handles.length]) : undefined;
  }

  /** stat as the model describes it; a device is named by its index in `devs`. */
  summary(m: Mount, st: DevStat, path: string): StatSummary {
    const type = st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'char';
    const s: StatSummary = { type, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
    if (type === 'char') {
      s.dev = this.devs.findIndex((d) => !d.dying && d.rdev === st.rdev);
      if (st.ino !== st.rdev) throw new Error(`/${path}: ino ${st.ino} is not its rdev ${st.rdev}`);
    }
    if (type === 'symlink' && st.isSymbolicLink()) s.target = m.readlink(path);
    return s;
  }

  /** Every visible entry of a mount as root sees it (readdir recursively + lstat + readlink). */
  tree(m: Mount): string[] {
    const out = [describeEntry('', this.summary(m, m.lstat(''), ''))];
    const walk = (dir: string): void => {
      for (const d of m.readdir(dir)) {
        const path = dir === '' ? d.name : `${dir}/${d.name}`;
        const st = m.lstat(path);
        const s = this.summary(m, st, path);
        if (s.type !== d.type || st.ino !== d.ino) throw new Error(`/${path}: readdir says ${d.type} #${d.ino}, lstat ${s.type} #${st.ino}`);
        out.push(describeEntry(path, s));
        if (s.type === 'dir') walk(path);
      }
    };
    walk('');
    return out;
  }

  /** Closes every handle, destroys every device and unmounts (frees the process-global inodes). */
  async dispose(): Promise<void> {
    for (const h of this.handles) if (!h.closed) await h.close().catch(() => undefined);
    await Promise.all(this.devs.map((d) => this.kernel.destroy_dev(d)));
    for (const m of this.mounts) m.unmount();
    await this.kernel.events.close();
  }
}
