import { native, inoOf, genOf, packKey, CHANGE_INSERT, CHANGE_CLEAR } from '@devfs/native';

/** Reads every record from `cursor` to the head; fails on -1. */
function readAll(cursor: number): number[][] {
  const out = new Uint32Array(4 * 256);
  const recs: number[][] = [];
  for (;;) {
    const n = native.changelogRead(cursor, out);
    expect(n).toBeGreaterThanOrEqual(0);
    if (n === 0) return recs;
    for (let i = 0; i < n; i++) recs.push(Array.from(out.subarray(4 * i, 4 * i + 4)));
    cursor += n;
  }
}

function insert(tag?: number, name?: string): { key: number; ino: number; gen: number } {
  const key = native.inodeInsert(tag, name);
  expect(key).toBeGreaterThan(0);
  return { key, ino: inoOf(key), gen: genOf(key) };
}

describe('inode table (single thread)', () => {
  test('exports its capacities', () => {
    expect(native.changelogCapacity).toBe(1 << 16);
    expect(native.inodeCapacity).toBe(1 << 24);
  });

  test('insert gives a live inode >= 3 with a packed key', () => {
    const live0 = native.inodeLiveCount();
    const a = insert();
    expect(a.ino).toBeGreaterThanOrEqual(3);
    expect(a.gen).toBeGreaterThanOrEqual(1);
    expect(packKey(a.ino, a.gen)).toBe(a.key);
    expect(native.inodeIsLive(a.ino, a.gen)).toBe(true);
    expect(native.inodeIsLive(a.ino, a.gen + 1)).toBe(false);
    expect(native.inodeLiveCount()).toBe(live0 + 1);
    expect(native.inodeClear(a.ino, a.gen)).toBe(true);
    expect(native.inodeLiveCount()).toBe(live0);
  });

  test('a cleared inode is reused with a new generation; the stale key stays dead', () => {
    const a = insert();
    expect(native.inodeClear(a.ino, a.gen)).toBe(true);
    expect(native.inodeIsLive(a.ino, a.gen)).toBe(false);
    expect(native.inodeClear(a.ino, a.gen)).toBe(false);
    const b = insert();
    expect(b.ino).toBe(a.ino);
    expect(b.gen).toBe(a.gen + 1);
    // The stale key can neither see nor clear the slot's new occupant.
    expect(native.inodeIsLive(a.ino, a.gen)).toBe(false);
    expect(native.inodeClear(a.ino, a.gen)).toBe(false);
    expect(native.inodeIsLive(b.ino, b.gen)).toBe(true);
    expect(native.inodeClear(b.ino, b.gen)).toBe(true);
  });

  test('distinct live inodes never share a number; reserved numbers are never live', () => {
    const keys = Array.from({ length: 1000 }, () => insert());
    expect(new Set(keys.map((k) => k.ino)).size).toBe(1000);
    for (const k of keys) expect(native.inodeClear(k.ino, k.gen)).toBe(true);
    for (const ino of [0, 1, 2]) for (const gen of [0, 1, 2]) expect(native.inodeIsLive(ino, gen)).toBe(false);
    expect(native.inodeClear(2, 1)).toBe(false);
    expect(native.inodeIsLive(native.inodeCapacity + 5, 1)).toBe(false);
  });

  test('change log records every change in order, and the generation counts them', () => {
    const head0 = native.changelogHead();
    const gen0 = native.devfsGeneration();
    const a = insert();
    const b = insert();
    expect(native.inodeClear(a.ino, a.gen)).toBe(true);
    const f = insert(7, 'tap9');
    expect(native.inodeClear(b.ino, b.gen + 1)).toBe(false); // refused: no record, no bump
    expect(native.inodeClear(b.ino, b.gen)).toBe(true);
    expect(native.devfsGeneration() - gen0).toBe(5);
    expect(native.changelogHead() - head0).toBe(5);
    expect(readAll(head0)).toEqual([
      [CHANGE_INSERT, a.ino, a.gen, 0],
      [CHANGE_INSERT, b.ino, b.gen, 0],
      [CHANGE_CLEAR, a.ino, a.gen, 0],
      [CHANGE_INSERT, f.ino, f.gen, 7],
      [CHANGE_CLEAR, b.ino, b.gen, 0],
    ]);
    expect(native.inodeForeignName(f.ino, f.gen)).toBe('tap9');
    expect(native.inodeClear(f.ino, f.gen)).toBe(true);
    expect(native.inodeForeignName(f.ino, f.gen)).toBeUndefined();
  });

  test('foreign names belong to their slot generation only', () => {
    const f = insert(3, 'net/tap0');
    expect(native.inodeForeignName(f.ino, f.gen)).toBe('net/tap0');
    expect(native.inodeForeignName(f.ino, f.gen + 1)).toBeUndefined();
    expect(native.inodeClear(f.ino, f.gen)).toBe(true);
    const k = insert(); // reuses f's slot as a kernel inode: no name leaks through
    expect(k.ino).toBe(f.ino);
    expect(native.inodeForeignName(k.ino, k.gen)).toBeUndefined();
    expect(native.inodeClear(k.ino, k.gen)).toBe(true);
    const u = insert(3); // foreign without a name
    expect(native.inodeForeignName(u.ino, u.gen)).toBe('');
    expect(native.inodeClear(u.ino, u.gen)).toBe(true);
  });

  test('inodeForeignList lists exactly the live slots of one tag (the rescan primitive)', () => {
    const a = insert(9, 'tap1');
    const b = insert(9, 'tap2');
    const c = insert(9, 'tap3');
    const other = insert(10, 'x');
    const kernel = insert();
    expect(native.inodeClear(b.ino, b.gen)).toBe(true);
    const pairs = (tag: number) => {
      const flat = native.inodeForeignList(tag);
      const out: number[][] = [];
      for (let i = 0; i < flat.length; i += 2) out.push([flat[i], flat[i + 1]]);
      return out.sort((x, y) => x[0] - y[0]);
    };
    expect(pairs(9)).toEqual([[a.ino, a.gen], [c.ino, c.gen]].sort((x, y) => x[0] - y[0]));
    expect(pairs(10)).toEqual([[other.ino, other.gen]]);
    expect(pairs(0).some(([ino]) => ino === kernel.ino)).toBe(true);
    for (const k of [a, c, other, kernel]) expect(native.inodeClear(k.ino, k.gen)).toBe(true);
    expect(pairs(9)).toEqual([]);
  });

  test('batch read returns many records per call and respects the buffer size', () => {
    const head0 = native.changelogHead();
    const keys = Array.from({ length: 1000 }, () => insert());
    const out = new Uint32Array(4 * 100);
    let cursor = head0;
    let calls = 0;
    const seen: number[] = [];
    for (;;) {
      const n = native.changelogRead(cursor, out);
      if (n === 0) break;
      expect(n).toBe(100);
      calls++;
      for (let i = 0; i < n; i++) {
        expect(out[4 * i]).toBe(CHANGE_INSERT);
        seen.push(packKey(out[4 * i + 1], out[4 * i + 2]));
      }
      cursor += n;
    }
    expect(calls).toBe(10);
    expect(seen).toEqual(keys.map((k) => k.key));
    // A buffer of 6 uint32 holds one whole record; an empty one holds none.
    expect(native.changelogRead(head0, new Uint32Array(6))).toBe(1);
    expect(native.changelogRead(head0, new Uint32Array(0))).toBe(0);
    // A subarray view is written at its own offset.
    const big = new Uint32Array(12);
    expect(native.changelogRead(head0, big.subarray(4, 8))).toBe(1);
    expect(Array.from(big.subarray(0, 4))).toEqual([0, 0, 0, 0]);
    expect(Array.from(big.subarray(4, 8))).toEqual([CHANGE_INSERT, keys[0].ino, keys[0].gen, 0]);
    for (const k of keys) expect(native.inodeClear(k.ino, k.gen)).toBe(true);
  });

  test('a reader that falls a full ring behind is told -1; a fresh cursor at the head works', () => {
    const cap = native.changelogCapacity;
    const cursor = native.changelogHead();
    for (let i = 0; i < cap / 2 + 4; i++) {
      const k = insert();
      native.inodeClear(k.ino, k.gen);
    }
    const out = new Uint32Array(4 * 64);
    const head = native.changelogHead();
    expect(head - cursor).toBeGreaterThan(cap);
    expect(native.changelogRead(cursor, out)).toBe(-1);
    // Exactly one ring behind is still readable, and holds the oldest retained record.
    expect(native.changelogRead(head - cap, out)).toBe(64);
    expect([CHANGE_INSERT, CHANGE_CLEAR]).toContain(out[0]);
    // Rescan answer: continue from the head.
    const fresh = native.changelogHead();
    expect(native.changelogRead(fresh, out)).toBe(0);
    const k = insert();
    expect(native.changelogRead(fresh, out)).toBe(1);
    expect(Array.from(out.subarray(0, 4))).toEqual([CHANGE_INSERT, k.ino, k.gen, 0]);
    expect(native.inodeClear(k.ino, k.gen)).toBe(true);
  });

  test('bad arguments throw with a code and change nothing', () => {
    const gen0 = native.devfsGeneration();
    const live0 = native.inodeLiveCount();
    const call = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e as Error & { code: string; errno?: number; syscall?: string };
      }
      throw new Error('did not throw');
    };
    const bad = native as unknown as Record<string, (...a: unknown[]) => unknown>;
    let e = call(() => bad.inodeClear('3', 1));
    expect(e.name).toBe('TypeError'); // the addon's realm, not Jest's: compare by name
    expect(e.code).toBe('ERR_INVALID_ARG_TYPE');
    expect(call(() => bad.inodeIsLive(3)).code).toBe('ERR_INVALID_ARG_TYPE');
    expect(call(() => bad.inodeInsert('x')).code).toBe('ERR_INVALID_ARG_TYPE');
    expect(call(() => bad.inodeInsert(1, 42)).code).toBe('ERR_INVALID_ARG_TYPE');
    expect(call(() => bad.changelogRead(0, new Int32Array(4))).code).toBe('ERR_INVALID_ARG_TYPE');
    expect(call(() => bad.changelogRead(0, [0, 0, 0, 0])).code).toBe('ERR_INVALID_ARG_TYPE');
    e = call(() => native.changelogRead(-1, new Uint32Array(4)));
    expect(e.name).toBe('RangeError');
    expect(e.code).toBe('ERR_OUT_OF_RANGE');
    expect(call(() => native.changelogRead(native.changelogHead() + 1, new Uint32Array(4))).code).toBe('ERR_OUT_OF_RANGE');
    expect(call(() => native.inodeClear(3.5, 1)).code).toBe('ERR_OUT_OF_RANGE');
    expect(call(() => native.inodeInsert(-1)).code).toBe('ERR_OUT_OF_RANGE');
    e = call(() => native.inodeInsert(0, 'named'));
    expect(e.code).toBe('EINVAL');
    expect(e.errno).toBe(-22);
    expect(e.syscall).toBe('inodeInsert');
    e = call(() => native.inodeInsert(2, 'x'.repeat(64)));
    expect(e.code).toBe('ENAMETOOLONG');
    expect(e.errno).toBe(-36);
    expect(call(() => native.inodeInsert(2, 'a\0b')).code).toBe('EINVAL');
    expect(native.devfsGeneration()).toBe(gen0);
    expect(native.inodeLiveCount()).toBe(live0);
  });

  test('packKey/inoOf/genOf round-trip the whole key space and reject bad fields', () => {
    for (const [ino, gen] of [[3, 1], [2 ** 24 - 1, 2 ** 29 - 1], [12345, 678]]) {
      const key = packKey(ino, gen);
      expect(Number.isSafeInteger(key)).toBe(true);
      expect([inoOf(key), genOf(key)]).toEqual([ino, gen]);
    }
    expect(() => packKey(2 ** 24, 1)).toThrow(RangeError);
    expect(() => packKey(3, 2 ** 29)).toThrow(RangeError);
    expect(() => packKey(3.5, 1)).toThrow(RangeError);
  });
});
