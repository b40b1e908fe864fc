/**
 * Crash-safe replacement of a file: write a temporary file in the same directory, fsync it,
 * rename it over the target, fsync the directory. A reader (or a restart after kill -9 or power
 * loss) sees the old complete file or the new complete file, never a mix. Hand-written because
 * the npm packages that do this (write-file-atomic) do not fsync the directory.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { toDevfsError } from '../errors';
import { arg } from '../validate';

let counter = 0;

/** Name of a temporary file for `file`: hidden, in the same directory, tagged with our pid (and unique). */
export function tempNameFor(file: string): string {
  const unique = `${counter++}-${randomBytes(4).toString('hex')}`;
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${unique}.tmp`);
}

/** Matches temporary files of `file` left behind; group 1 is the writer's pid. */
export function tempPattern(file: string): RegExp {
  const base = path.basename(file).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^\\.${base}\\.([0-9]+)\\.[0-9]+-[0-9a-f]+\\.tmp$`);
}

/** Atomically replaces `file` with `text` (temp + fsync + rename + fsync dir); failures are DevfsErrors. */
export async function writeFileAtomic(file: string, text: string, mode = 0o644): Promise<void> {
  arg.string(file, 'file', 'writeFileAtomic');
  arg.string(text, 'text', 'writeFileAtomic', file);
  arg.int(mode, 'mode', 'writeFileAtomic', 0, 0o7777, file);
  try {
    await replace(file, text, mode);
  } catch (err) {
    throw toDevfsError(err, 'writeFileAtomic', file);
  }
}

async function replace(file: string, text: string, mode: number): Promise<void> {
  const tmp = tempNameFor(file);
  const fh = await fs.promises.open(tmp, 'wx', mode);
  try {
    try {
      await fh.writeFile(text, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.promises.rename(tmp, file);
  } catch (err) {
    await fs.promises.unlink(tmp).catch(() => undefined);
    throw err;
  }
  const dir = await fs.promises.open(path.dirname(file), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

/** Removes temporary files of `file` whose writing process no longer exists. */
export function removeStaleTemps(file: string): void {
  const dir = path.dirname(file);
  const re = tempPattern(file);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = re.exec(name);
    if (!m || Number(m[1]) === process.pid || pidAlive(Number(m[1]))) continue;
    try {
      fs.unlinkSync(path.join(dir, name));
    } catch {
      /* raced with another cleaner: fine */
    }
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
