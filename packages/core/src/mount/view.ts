import type { MountRegistry } from './registry';
import type { Cdev } from '../kernel/cdev';
import type { DirNode } from '../kernel/namespace';
import type { RuleAttrs, RuleEngine, RuleSubject } from '../kernel/hooks';
import { ChangeLogReader, CHANGE_CLEAR, CHANGE_INSERT } from '../kernel/changelog';
import { RuleResult } from './attrs';

/**
 * What one ruleset makes of the namespace, shared by every mount that uses that ruleset (1,000
 * jails with devfsrules_jail share one). Devices are evaluated when the view catches up with the
 * change log (lazily, O(changes since last time)); only entries a rule matched are stored, so an
 * unmatched device costs nothing. On a log wrap the view rescans and is still exact.
 */
export class RulesetView {
  readonly ruleset: number;
  private readonly devs = new Map<number, RuleResult>();
  private readonly dirs = new WeakMap<DirNode, RuleResult | null>();
  private readonly reader = new ChangeLogReader(0);
  private readonly scratch: RuleAttrs = { hidden: false, uid: -1, gid: -1, mode: -1 };
  private readonly subject: RuleSubject = { path: '', kind: 'dev', dflags: 0 };
  /** Mounts (epochs) holding this view. */
  refs = 0;

  constructor(private readonly kernel: Pick<MountRegistry, 'byIno' | 'devices'>, private readonly rules: RuleEngine, ruleset: number) {
    this.ruleset = ruleset;
    this.rescan();
  }

  /** Evaluates devices registered since the last call. */
  catchUp(): void {
    const k = this.kernel;
    const ok = this.reader.drain((op, ino, gen) => {
      if (op === CHANGE_INSERT) {
        const d = k.byIno[ino];
        if (d !== undefined && d.gen === gen) this.evalDev(d);
      } else if (op === CHANGE_CLEAR) {
        const r = this.devs.get(ino);
        if (r !== undefined && r.gen === gen) this.devs.delete(ino);
      }
    });
    if (!ok) this.rescan();
  }

  /** Evaluates one device at once (an adopted foreign device: see Kernel.make_dev_s). */
  evaluateNow(d: Cdev): void {
    this.evalDev(d);
  }

  /** Rule result for a device (undefined: no rule matched). */
  dev(d: Cdev): RuleResult | undefined {
    const r = this.devs.get(d.inode);
    return r !== undefined && r.gen === d.gen ? r : undefined;
  }

  /** Rule result for a directory, evaluated on first use. */
  dir(node: DirNode): RuleResult | undefined {
    let r = this.dirs.get(node);
    if (r === undefined) {
      r = this.evaluate(node.path, 'dir', 0, 0);
      this.dirs.set(node, r);
    }
    return r ?? undefined;
  }

  /** Evaluates a one-off subject (user symlinks) without storing it. */
  evaluate(path: string, kind: 'dev' | 'dir' | 'link', dflags: number, gen: number): RuleResult | null {
    const a = this.scratch;
    a.hidden = false; a.uid = -1; a.gid = -1; a.mode = -1;
    const s = this.subject;
    s.path = path; s.kind = kind; s.dflags = dflags;
    if (!this.rules.evaluate(this.ruleset, s, a)) return null;
    return new RuleResult(gen, a.hidden, a.uid, a.gid, a.mode);
  }

  private evalDev(d: Cdev): void {
    const r = this.evaluate(d.si_name, d.isAlias ? 'link' : 'dev', d.si_devsw.d_flags ?? 0, d.gen);
    if (r) this.devs.set(d.inode, r);
    else this.devs.delete(d.inode);
  }

  private rescan(): void {
    this.reader.skipToHead();
    this.devs.clear();
    for (const d of this.kernel.devices()) this.evalDev(d);
  }
}
