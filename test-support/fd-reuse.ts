/** Real files on fd numbers that were just closed: the victims a stale handle must not touch. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** A temp file open (r+) on a chosen fd number, holding `content`. */
export interface Victim { file: string; fd: number; content: string }

/** Victims on fd numbers, and a way to check and remove them. */
export interface Victims {
  files: Victim[];
  /** Throws unless every file still holds exactly its content and its offset is still 0 (once: it reads). */
  check(): void;
  /** Closes and removes every file. */
  remove(): void;
}

/**
 * Opens temp files until each of `numbers` (closed fds of this process) is held by one of them —
 * the host hands out the lowest free number, so they come back at once unless another thread
 * races for them; files on other numbers are closed again. Throws when a number does not come back.
 */
export function victimsOn(numbers: number[], tag: string): Victims {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `devfs-${tag}-`));
  const files: Victim[] = [];
  const spare: number[] = [];
  try {
    for (let i = 0; files.length < numbers.length && i < 64; i++) {
      const file = path.join(dir, `victim${i}`);
      const content = `victim ${i}: not a pty`;
      fs.writeFileSync(file, content);
      const fd = fs.openSync(file, 'r+');
      if (numbers.includes(fd)) files.push({ file, fd, content });
      else spare.push(fd);
    }
  } finally {
    for (const fd of spare) fs.closeSync(fd);
  }
  const remove = () => {
    for (const f of files) fs.closeSync(f.fd);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  if (files.length < numbers.length) {
    remove();
    throw new Error(`fd numbers ${numbers.join(', ')} were not reused`);
  }
  const check = () => {
    for (const f of files) {
      const buf = Buffer.alloc(f.content.length + 16);
      const n = fs.readSync(f.fd, buf, 0, buf.length, null); // from the current offset: must still be 0
      const got = buf.toString('utf8', 0, n);
      if (got !== f.content) throw new Error(`fd ${f.fd} (${f.file}) was touched: reads ${JSON.stringify(got)}`);
    }
  };
  return { files, check, remove };
}
