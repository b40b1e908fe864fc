/**
 * native shm regions: memory several threads map as ordinary ArrayBuffers (copies at memmove
 * speed), alive while any mapping is, freed when the last one is collected or its thread ends.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';
import { native } from '@devfs/native';

test('a region is zero-filled, and two mappings of it are the same memory', () => {
  const r = native.shmCreate(8192);
  expect(r.buffer.byteLength).toBe(8192);
  expect(Buffer.from(r.buffer).equals(Buffer.alloc(8192))).toBe(true);
  const again = native.shmMap(r.key);
  Buffer.from(r.buffer).write('devfs', 100);
  expect(Buffer.from(again).toString('utf8', 100, 105)).toBe('devfs');
  // an ordinary ArrayBuffer: Buffer copies do not go through V8's shared-memory path
  expect(r.buffer instanceof SharedArrayBuffer).toBe(false);
  expect(native.shmCreate(1).key).toBeGreaterThan(r.key); // keys are never reused
});

test('another thread sees the same bytes; regions go when the last mapping does (a worker that exits, garbage collection)', () => {
  const out = execFileSync(process.execPath, ['--expose-gc', path.join(__dirname, 'fixtures', 'shm-child.js'), path.join(__dirname, '..', 'dist', 'index.js')], { encoding: 'utf8' });
  const r = JSON.parse(out) as { during: number; seen: number; afterWorker: number; afterGc: number; mapAfterGc: string };
  expect(r.during).toBe(1);
  expect(r.seen).toBe(77); // written by the worker through its own mapping
  expect(r.afterWorker).toBe(1); // the worker's 8 regions went with its thread; ours stays (mapped here)
  expect(r.afterGc).toBe(0);
  expect(r.mapAfterGc).toBe('ENOENT');
});

test('bad sizes and unknown keys are refused with Node-shaped errors, and nothing is allocated', () => {
  const before = native.shmStats();
  for (const bad of [0, -1, 1.5, 2 ** 30 + 1, NaN]) {
    expect(() => native.shmCreate(bad)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
  }
  expect(() => native.shmCreate('64' as unknown as number)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
  expect(() => native.shmMap(2 ** 52)).toThrow(expect.objectContaining({ code: 'ENOENT', errno: -2, syscall: 'shmMap' }));
  expect(() => native.shmMap(-3)).toThrow(expect.objectContaining({ code: 'ENOENT', syscall: 'shmMap' }));
  expect(() => native.shmMap(undefined as unknown as number)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
  expect(native.shmStats()).toEqual(before);
});
