/** OPENDIR / READDIR / RELEASEDIR: a directory's entries as the caller's mount lists them. */
import { DT_DIR, DT_LNK, DT_REG, packDirents, u64 } from '../proto/codec';
import { OPEN_OUT, READ_IN } from '../proto/layout';
import { childPath } from '../nodes';
import { exportAttr } from '../context';
import type { Call, ExportState } from '../context';
import { pathOf } from './entries';

/** OPENDIR: reads the entries once (readdir checks the caller's read permission). */
export function opendir(s: ExportState, c: Call): Buffer {
  const path = pathOf(c);
  const m = c.mount();
  const list = m.readdir(path, c.cred);
  const self = m.stat(path, c.cred);
  const entries = [{ name: '.', ino: self.ino, type: DT_DIR }, { name: '..', ino: 1, type: DT_DIR }];
  for (const d of list) {
    let type = d.type === 'dir' ? DT_DIR : d.type === 'symlink' ? DT_LNK : DT_REG;
    if (type === DT_REG) {
      try {
        const p = childPath(path, d.name);
        if (exportAttr(m.lstat(p, c.cred), p, s).kind === 'link') type = DT_LNK;
      } catch { /* gone meanwhile: listed as it was */ }
    }
    entries.push({ name: d.name, ino: d.ino, type });
  }
  const fh = s.nextFh++;
  s.dirs.set(fh, { entries });
  const out = Buffer.alloc(OPEN_OUT.size);
  out.writeBigUInt64LE(BigInt(fh), OPEN_OUT.fh);
  return out;
}

/** READDIR: entries from the kernel's offset (an index) that fit in its buffer. */
export function readdir(s: ExportState, c: Call): Buffer {
  const d = s.dirs.get(u64(c.body, READ_IN.fh));
  if (!d) return Buffer.alloc(0);
  return packDirents(d.entries, u64(c.body, READ_IN.offset), c.body.readUInt32LE(READ_IN.size));
}

/** RELEASEDIR. */
export function releasedir(s: ExportState, c: Call): Buffer {
  s.dirs.delete(u64(c.body, READ_IN.fh));
  return Buffer.alloc(0);
}
