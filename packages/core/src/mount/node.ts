import type { Cdev } from '../kernel/cdev';
import type { DirNode } from '../kernel/namespace';

/** A user symlink made by `symlink` in one mount (it covers a device of the same name). */
export class UserLink {
  constructor(
    readonly name: string,
    readonly dirPath: string,
    readonly target: string,
    readonly ino: number,
    public uid: number,
    public gid: number,
    public mode: number,
    /** Creation order key (devfs_generation at creation, then a tie-breaker). */
    readonly order: number,
    readonly ctick: number,
    public hidden: boolean,
  ) {}
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
