import type { MountRegistry } from './registry';
import type { Cdev } from '../kernel/cdev';
import { DirNode, liveEntries } from '../kernel/namespace';
import type { RuleAttrs, RuleSubject } from '../kernel/hooks';
import type { DirentAttrs } from './attrs';
import type { EffectiveAttrs } from './mount';
import type { Resolved, UserLink } from './node';

/** What applyRules needs from a mount. */
export interface RuleApplier {
  kernel: Pick<MountRegistry, 'ns'>;
  attrsOf(d: Cdev): EffectiveAttrs;
  dirAttrs(n: DirNode): DirentAttrs;
  set(r: Resolved, attrs: RuleAttrs): void;
  links(): UserLink[];
}

/**
 * Re-runs rules over every existing entry of a mount (devfs rule apply / applyset). Only entries
 * a rule changed get per-mount state; the cost is O(entries), as an explicit apply must be.
 */
export function applyRules(m: RuleApplier, evaluate: (s: RuleSubject, a: RuleAttrs) => boolean): void {
  const subject: RuleSubject = { path: '', kind: 'dev', dflags: 0 };
  const attrs: RuleAttrs = { hidden: false, uid: 0, gid: 0, mode: 0 };
  const visit = (dir: DirNode): void => {
    for (const [, e] of liveEntries(dir)) {
      if (e instanceof DirNode) {
        const a = m.dirAttrs(e);
        subject.path = e.path; subject.kind = 'dir'; subject.dflags = 0;
        attrs.hidden = a.ruleHidden; attrs.uid = a.uid; attrs.gid = a.gid; attrs.mode = a.mode;
        if (evaluate(subject, attrs)) m.set({ kind: 'dir', dir: e, path: e.path }, attrs);
        visit(e);
      } else {
        const a = m.attrsOf(e);
        subject.path = e.si_name; subject.kind = e.isAlias ? 'link' : 'dev'; subject.dflags = e.si_devsw.d_flags ?? 0;
        attrs.hidden = a.ruleHidden; attrs.uid = a.uid; attrs.gid = a.gid; attrs.mode = a.mode;
        if (evaluate(subject, attrs)) m.set({ kind: 'dev', dev: e, path: e.si_name }, attrs);
      }
    }
  };
  visit(m.kernel.ns.root);
  for (const l of m.links()) {
    subject.path = l.path; subject.kind = 'link'; subject.dflags = 0;
    attrs.hidden = l.hidden; attrs.uid = l.uid; attrs.gid = l.gid; attrs.mode = l.mode;
    if (evaluate(subject, attrs)) {
      l.ruleHidden = attrs.hidden; l.uid = attrs.uid; l.gid = attrs.gid; l.mode = attrs.mode;
    }
  }
}
