import { TIME_ORIGIN } from '../kernel/cdev';

/** Per-mount state of one entry that this mount changed (chmod, chown, utimes, unlink, rules). */
export class DirentAttrs {
  /** Slot generation of the device this belongs to (stale entries are ignored/GC'd). */
  gen: number;
  uid: number;
  gid: number;
  mode: number;
  /** Hidden by unlink (whiteout). */
  whiteout = false;
  /** Hidden by a ruleset. */
  ruleHidden = false;
  /** ms since TIME_ORIGIN, -1 = the entry's creation time. */
  atick = -1;
  mtick = -1;
  ctick = -1;
  constructor(gen: number, uid: number, gid: number, mode: number, ruleHidden: boolean) {
    this.gen = gen;
    this.uid = uid;
    this.gid = gid;
    this.mode = mode;
    this.ruleHidden = ruleHidden;
  }
  /** True when hidden in this mount for any reason. */
  get hidden(): boolean {
    return this.whiteout || this.ruleHidden;
  }
  /** Sets ctime to now. */
  touchCtime(): void {
    this.ctick = Date.now() - TIME_ORIGIN;
  }
}

/**
 * What a ruleset made of an entry: only the fields a rule set (-1 = untouched), so live defaults
 * (e.g. an auto-owned pty's owner) show through where no rule spoke.
 */
export class RuleResult {
  hidden: boolean;
  uid: number;
  gid: number;
  mode: number;
  gen: number;
  constructor(gen: number, hidden: boolean, uid: number, gid: number, mode: number) {
    this.gen = gen;
    this.hidden = hidden;
    this.uid = uid;
    this.gid = gid;
    this.mode = mode;
  }
}
