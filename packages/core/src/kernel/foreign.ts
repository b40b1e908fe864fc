import { native } from '@devfs/native';
import type { Cdev } from './cdev';
import { ChangeLogReader, CHANGE_CLEAR, CHANGE_INSERT, TAG_KERNEL } from './changelog';

/** Handler for inodes that a foreign registrar (native thread, tag != 0) inserted. */
export type ForeignAdopter = (ino: number, gen: number, name: string) => void;
/** Handler for foreign inodes cleared outside the kernel. */
export type ForeignRelease = (ino: number, gen: number) => void;

/** What foreign-inode tracking needs from the registry. */
export interface ForeignHost {
  readonly byIno: (Cdev | undefined)[];
  devices(): IterableIterator<Cdev>;
  destroy_dev(dev: Cdev): Promise<void>;
}

/**
 * Inodes a foreign registrar (a native thread, tag != 0) inserts or clears in the shared inode
 * table: read from the change log with their own cursor, handed to the driver that claimed the
 * tag (`adopt` normally calls make_dev_s with `adoptInode`), and destroyed here when cleared.
 */
export class ForeignInodes {
  private readonly tags = new Map<number, { adopt: ForeignAdopter; release?: ForeignRelease }>();
  private readonly reader = new ChangeLogReader();

  constructor(private readonly reg: ForeignHost) {}

  /** Claims `tag` (arguments checked by the caller); returns the remover. */
  add(tag: number, adopt: ForeignAdopter, release?: ForeignRelease): () => void {
    this.tags.set(tag, { adopt, release });
    this.sync();
    return () => {
      if (this.tags.get(tag)?.adopt === adopt) this.tags.delete(tag);
    };
  }

  /** Processes foreign inserts/clears appended to the change log since the last call. */
  sync(): void {
    if (this.tags.size === 0) {
      this.reader.skipToHead();
      return;
    }
    const seen: [number, number, number, number][] = [];
    const complete = this.reader.drain((op, ino, gen, tag) => {
      if (tag !== TAG_KERNEL && this.tags.has(tag)) seen.push([op, ino, gen, tag]);
    });
    for (const [op, ino, gen, tag] of seen) this.apply(op, ino, gen, tag);
    if (!complete) this.rescan();
  }

  /** Destroys a device whose slot its registrar already cleared (errors are dropped). */
  destroy(dev: Cdev): Promise<void> {
    return this.reg.destroy_dev(dev).catch(() => undefined);
  }

  private apply(op: number, ino: number, gen: number, tag: number): void {
    const f = this.tags.get(tag)!;
    if (op === CHANGE_INSERT) {
      const cur = this.reg.byIno[ino];
      if (cur && cur.gen === gen) return;
      const name = native.inodeForeignName(ino, gen);
      if (name === undefined) return; // already cleared again
      try {
        f.adopt(ino, gen, name);
      } catch (err) {
        // cleared again between the name lookup and the adoption (a normal race): its CLEAR follows
        if (!native.inodeIsLive(ino, gen)) return;
        process.emitWarning(`devfs: adopting foreign device '${name}' failed: ${(err as Error).message}`);
      }
    } else if (op === CHANGE_CLEAR) {
      const dev = this.reg.byIno[ino];
      if (dev && dev.gen === gen && !dev.dying) {
        f.release?.(ino, gen);
        if (!dev.dying) void this.destroy(dev);
      }
    }
  }

  private rescan(): void {
    // The ring wrapped: adopt every live foreign inode we do not know, drop the ones that died.
    for (const dev of [...this.reg.devices()]) {
      if (!native.inodeIsLive(dev.inode, dev.gen) && !dev.dying) void this.destroy(dev);
    }
    const cap: number = native.inodeCapacity;
    for (const [tag, f] of this.tags) {
      const scan = (native as unknown as { inodeForeignList?: (tag: number) => number[] }).inodeForeignList;
      if (!scan) continue;
      const list = scan(tag);
      for (let i = 0; i + 1 < list.length && i < cap * 2; i += 2) {
        const ino = list[i], gen = list[i + 1];
        if (this.reg.byIno[ino]?.gen === gen) continue;
        const name = native.inodeForeignName(ino, gen);
        if (name !== undefined) f.adopt(ino, gen, name);
      }
    }
  }
}
