/** native.mallocTrim(): freed native memory that glibc keeps in its arenas goes back to the kernel. */
import { execFileSync } from 'child_process';
import * as path from 'path';
import { native } from '@devfs/native';

test('mallocTrim returns a boolean and gives back fragmented freed buffers (child process, RSS before/after)', () => {
  expect(typeof native.mallocTrim()).toBe('boolean');
  const out = execFileSync(process.execPath, ['--expose-gc', path.join(__dirname, 'fixtures', 'trim-child.js')], { encoding: 'utf8' });
  const r = JSON.parse(out) as { released: boolean; before: number; after: number; held: number };
  expect(r.held).toBe(1000);
  expect(r.released).toBe(true);
  // ~58 MiB of 60 KiB chunks were freed between live ones; the trim must return most of it
  expect(r.before - r.after).toBeGreaterThan(30);
});
