import type { Cdev } from '../kernel/cdev';
import type { DirNode } from '../kernel/namespace';
import { DirentAttrs } from './attrs';

/**
 * A user symlink made by `symlink` in one mount (it covers a device of the same name). It is a
 * dirent of that mount with attributes of its own (rules and chmod change them in place).
 */
export class UserLink extends DirentAttrs {
  constructor(
    readonly name: string,
    readonly dirPath: string,
    readonly target: string,
    readonly ino: number,
    uid: number,
    gid: number,
    mode: number,
    /** Creation order key (devfs_generation at creation, then a tie-breaker). */
    readonly order: number,
    /** Creation time, ms since TIME_ORIGIN. */
    readonly birth: number,
    ruleHidden: boolean,
  ) {
    super(0, uid, gid, mode, ruleHidden);
  }
  /** Mount-relative path of the link. */
  get path(): string {
    return this.dirPath === '' ? this.name : `${this.dirPath}/${this.name}`;
  }
}

/** What a path resolves to in a mount. */
export type Resolved =
  | { kind: 'dir'; dir: DirNode; path: string }
  | { kind: 'dev'; dev: Cdev; path: string }
  | { kind: 'link'; link: UserLink; path: string };

/**
 * A lookup whose final component is missing (Mount.walk with cloning): `seq` is the sequence
 * number of the LOOKUP event that miss emitted, 0 when none was (an earlier miss in a followed link).
 */
export interface Miss { kind: 'miss'; seq: number }
