/**
 * native.mallocTrim(): freed native memory that glibc keeps in its arenas goes back to the kernel;
 * native.lowMemoryNotification(): V8's young generation shrinks back after a burst.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';
import { native } from '@devfs/native';

test('mallocTrim gives back fragmented freed buffers; lowMemoryNotification shrinks a grown young generation (child process)', () => {
  expect(typeof native.mallocTrim()).toBe('boolean');
  const out = execFileSync(process.execPath, ['--expose-gc', path.join(__dirname, 'fixtures', 'trim-child.js')], { encoding: 'utf8' });
  const r = JSON.parse(out) as { released: boolean; before: number; after: number; held: number; grown: number; shrunk: number };
  expect(r.held).toBe(1000);
  expect(r.released).toBe(true);
  // ~58 MiB of 60 KiB chunks were freed between live ones; the trim must return most of it
  expect(r.before - r.after).toBeGreaterThan(30);
  // lowMemoryNotification: the young generation a burst grew (a plain gc() keeps it) comes back down
  expect(r.grown).toBeGreaterThan(4);
  expect(r.shrunk).toBeLessThan(r.grown / 2);
});

test('mallocArenaMax accepts a cap and refuses a non-positive one', () => {
  expect(native.mallocArenaMax(8)).toBe(true); // the default limit on this machine (8 x cores is more)
  expect(() => native.mallocArenaMax(0)).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'mallopt' }));
});

test('mallocThresholds: a thread arena gives back its freed top (without it, 24 MiB freed by a worker stay resident)', () => {
  const run = (mode: string) => JSON.parse(execFileSync(process.execPath, ['--expose-gc', path.join(__dirname, 'fixtures', 'arena-top-child.js'), mode], { encoding: 'utf8' })) as { accepted: boolean | null; holding: number; left: number };
  const dflt = run('default');
  const fixed = run('fixed');
  expect(dflt.holding).toBeGreaterThan(20);
  expect(fixed.holding).toBeGreaterThan(20);
  // glibc's dynamic thresholds: after one 16 MiB free, the worker's 24 MiB sit in its arena's top
  expect(dflt.left).toBeGreaterThan(16);
  expect(fixed.accepted).toBe(true);
  expect(fixed.left).toBeLessThan(4);
});

test('mallocThresholds refuses out-of-range values with the system-error shape', () => {
  expect(() => native.mallocThresholds(-1, 0)).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'mallopt' }));
  expect(() => native.mallocThresholds(64 << 20, 0)).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'mallopt' }));
  expect(() => native.mallocThresholds(128 * 1024, -5)).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'mallopt' }));
});
