/**
 * Deferred events (Events.emitDeferred, the kernel's REGISTER/UNREGISTER): queued as a builder and
 * its arguments, built at delivery only for a listener or an action rule, with the values of the
 * moment they were queued; and the queue's ring (order, growth with wrap-around, find by seq).
 */
import { DevEvent, Events } from '../src/events';
import { EventRing } from '../src/events/queue';
import { bareKernel, plainsw } from './helpers';

type Built = { name: string; n: number };
let builds = 0;
function build(a: Built, b: number, c: string, seq: number, time: number): DevEvent {
  builds++;
  return { type: 'NOTIFY', name: a.name, ino: b, data: { c, n: a.n }, seq, time };
}

beforeEach(() => { builds = 0; });

describe('Events.emitDeferred', () => {
  test('nobody receives the type: never built, but numbered (the next event takes the next number)', async () => {
    const events = new Events();
    expect(events.emitDeferred('NOTIFY', build, { name: 'a', n: 1 }, 3, 'x')).toBe(1);
    expect(events.emitDeferred('NOTIFY', build, { name: 'b', n: 2 }, 4, 'y')).toBe(2);
    await events.flush();
    expect(builds).toBe(0);
    const seen: DevEvent[] = [];
    events.on((e) => { seen.push(e); });
    events.emitDeferred('NOTIFY', build, { name: 'c', n: 3 }, 5, 'z');
    await events.flush();
    expect(builds).toBe(1);
    expect(seen).toEqual([{ type: 'NOTIFY', name: 'c', ino: 5, data: { c: 'z', n: 3 }, seq: 3, time: expect.any(Number) }]);
  });

  test('a listener subscribed after the emit, before delivery, gets it: built once, frozen, queueing time', async () => {
    const events = new Events();
    const before = Date.now();
    events.emitDeferred('NOTIFY', build, { name: 'late', n: 7 }, 9, 'w');
    const after = Date.now();
    const first: DevEvent[] = [];
    const second: DevEvent[] = [];
    events.on((e) => { first.push(e); });
    events.on((e) => { second.push(e); });
    await events.flush();
    expect(builds).toBe(1);
    expect(first[0]).toBe(second[0]);
    expect(Object.isFrozen(first[0])).toBe(true);
    expect(first[0].time).toBeGreaterThanOrEqual(before);
    expect(first[0].time).toBeLessThanOrEqual(after);
  });

  test('an action rule on the type builds it (no listener)', async () => {
    const events = new Events();
    events.loadConfig('NOTIFY ^acted$ IGNORE');
    events.emitDeferred('NOTIFY', build, { name: 'acted', n: 1 }, 1, 'a');
    events.emitDeferred('REGISTER', build, { name: 'other-type', n: 1 }, 1, 'a');
    await events.flush();
    expect(builds).toBe(1);
  });

  test('a drain passes 64 unreceived deferred events for one delivery: the queue empties at once when nobody listens', async () => {
    const events = new Events({ batchSize: 4 });
    const tick = () => new Promise((r) => setImmediate(r));
    for (let i = 0; i < 256; i++) events.emitDeferred('NOTIFY', build, { name: `n${i}`, n: i }, i, 'q');
    await tick();
    expect(events.pending).toBe(0);                  // 256 = 4 deliveries' worth, in one macrotask
    for (let i = 0; i < 257; i++) events.emitDeferred('NOTIFY', build, { name: `m${i}`, n: i }, i, 'q');
    await tick();
    expect(events.pending).toBe(1);
    const seen: string[] = [];
    events.on((e) => { seen.push(e.name); });
    for (let i = 0; i < 10; i++) events.emitDeferred('NOTIFY', build, { name: `r${i}`, n: i }, i, 'q');
    await tick();
    expect(seen).toEqual(['m256', 'r0', 'r1', 'r2']); // delivered ones: batchSize per macrotask
    await events.flush();
    expect(seen).toHaveLength(11);
    expect(builds).toBe(11);
  });

  test('after a burst, the emptied queue keeps its storage for a second, then gives it back', async () => {
    const events = new Events();
    const ring = (events as unknown as { queue: EventRing }).queue;
    for (let i = 0; i < 20_000; i++) events.emitDeferred('NOTIFY', build, { name: 'b', n: i }, i, 'q');
    await events.flush();
    expect(events.pending).toBe(0);
    expect(ring.large).toBe(true);                   // a burst that repeats does not regrow it
    await new Promise((r) => setTimeout(r, 1200));
    expect(ring.large).toBe(false);
    expect(events.emitDeferred('NOTIFY', build, { name: 'after', n: 0 }, 0, 'q')).toBe(20_001);
  });

  test('deferred and built events share the bound: overrun counted, one NOTIFY says how many', async () => {
    const events = new Events({ queueLimit: 4 });
    const seen: DevEvent[] = [];
    events.on((e) => { seen.push(e); });
    for (let i = 0; i < 6; i++) events.emitDeferred('NOTIFY', build, { name: `d${i}`, n: i }, i, 'q');
    expect(events.emit({ type: 'CHANGE', name: 'dropped' })).toBe(0);
    await events.flush();
    expect(seen.map((e) => e.name)).toEqual(['d0', 'd1', 'd2', 'd3', '']);
    expect(seen[4].data).toEqual({ overrun: 3, overrunTotal: 3 });
    expect(seen.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
  });
});

describe("the kernel's REGISTER/UNREGISTER", () => {
  test('a late listener gets them with the values of make_dev and destroy_dev time, not of delivery', async () => {
    const k = bareKernel();
    const sw = { d_name: 'late' };
    const dev = k.make_dev(sw, 42, 1001, 20, 0o640, 'late/%s%d', 'x', 3);
    dev.uid = 7;   // after REGISTER was queued: not in it
    dev.mode = 0o600;
    const beforeDestroy = Date.now();
    void k.destroy_dev(dev);
    const afterDestroy = Date.now();
    sw.d_name = 'renamed'; // the driver's name as it was when each event was queued
    const seen: DevEvent[] = [];
    k.events.on((e) => { seen.push(e); });
    await k.events.flush();
    expect(seen).toEqual([
      { type: 'REGISTER', name: 'late/x3', ino: dev.inode, uid: 1001, gid: 20, mode: 0o640, data: { driver: 'late', unit: 42, persistent: true }, seq: 1, time: dev.ctimeMs },
      { type: 'UNREGISTER', name: 'late/x3', ino: dev.inode, data: { driver: 'late' }, seq: 2, time: expect.any(Number) },
    ]);
    expect(seen[1].time).toBeGreaterThanOrEqual(beforeDestroy);
    expect(seen[1].time).toBeLessThanOrEqual(afterDestroy);
  });

  test('persistent is as at make_dev: a device made for a credential is not', async () => {
    const k = bareKernel();
    const seen: DevEvent[] = [];
    k.events.on((e) => { seen.push(e); });
    k.make_dev_s({ devsw: plainsw, cred: { uid: 1001, gid: 1001 } }, 'mine');
    k.make_dev(plainsw, 0, 0, 0, 0o600, 'ours');
    await k.events.flush();
    expect(seen.map((e) => [e.name, e.data?.persistent])).toEqual([['mine', false], ['ours', true]]);
  });

  test('an override of make_dev_s (as the isolated plugin host installs) still sees every make_dev', () => {
    const k = bareKernel();
    const calls: unknown[][] = [];
    const real = k.make_dev_s.bind(k);
    k.make_dev_s = (a, fmt, ...args) => { calls.push([a, fmt, ...args]); return real(a, fmt, ...args); };
    const dev = k.make_dev(plainsw, 5, 1, 2, 0o644, 'ov%d', 9);
    expect(dev.si_name).toBe('ov9');
    expect(calls).toEqual([[{ devsw: plainsw, unit: 5, uid: 1, gid: 2, mode: 0o644 }, 'ov%d', 9]]);
  });
});

describe('EventRing', () => {
  const ev = (seq: number): DevEvent => ({ type: 'CHANGE', name: `e${seq}`, seq, time: 0 });
  test('keeps order and numbers through wrap-around and growth; find locates a queued seq', () => {
    const r = new EventRing(4);
    let next = 1;
    let expectSeq = 1;
    // interleave pushes and shifts so the ring wraps, then grows while wrapped
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < (round % 7) + 1; i++) {
        const seq = next++;
        r.push(ev(seq), undefined, undefined, undefined, 'CHANGE', round % 2 ? 'copy-only' : 'all', seq, false);
      }
      for (let i = 0; i < (round % 5) && r.size > 0; i++) {
        const h = r.head;
        expect(r.seq(h)).toBe(expectSeq);
        expect(r.built(h)?.name).toBe(`e${expectSeq}`);
        expect(r.type(h)).toBe('CHANGE');
        expectSeq++;
        r.shift();
      }
    }
    expect(r.size).toBe(next - expectSeq);
    const mid = expectSeq + Math.floor(r.size / 2);
    const i = r.find(mid);
    expect(r.seq(i)).toBe(mid);
    expect(r.find(next)).toBe(-1);
    expect(r.find(expectSeq - 1)).toBe(-1);
    r.setScope(i, 'skip-modload');
    expect(r.scope(i)).toBe('skip-modload');
    while (r.size > 0) {
      expect(r.seq(r.head)).toBe(expectSeq++);
      r.shift();
    }
  });

  test('a ring of more than 16,384 slots gives its storage back when trimmed empty; a smaller or non-empty one keeps it', () => {
    const r = new EventRing();
    for (let seq = 1; seq <= 20_000; seq++) r.push(ev(seq), undefined, undefined, undefined, 'CHANGE', 'all', seq, false);
    expect(r.large).toBe(true);
    r.trim();                                        // not empty: kept
    expect(r.large).toBe(true);
    while (r.size > 1) r.shift();
    r.trim();
    expect(r.large).toBe(true);
    r.shift();
    r.trim();
    expect(r.large).toBe(false);
    r.push(ev(1), undefined, undefined, undefined, 'CHANGE', 'all', 1, false);   // usable again
    expect(r.seq(r.head)).toBe(1);
    const small = new EventRing();
    for (let seq = 1; seq <= 10_000; seq++) small.push(ev(seq), undefined, undefined, undefined, 'CHANGE', 'all', seq, false);
    while (small.size > 0) small.shift();
    small.trim();
    expect((small as unknown as { mask: number }).mask).toBe(16383);
  });

  test('a deferred slot is built from its references on demand; shift releases them', () => {
    const r = new EventRing(2);
    const subject = { name: 'dev', n: 1 };
    r.push(build as never, subject, 12, 'c', 'NOTIFY', 'all', 1, true);
    const h = r.head;
    expect(r.built(h)).toBeUndefined();
    expect(r.event(h)).toMatchObject({ name: 'dev', ino: 12, seq: 1 });
    expect(Object.isFrozen(r.event(h))).toBe(true);
    r.shift();
    expect(r.size).toBe(0);
    expect((r as unknown as { refs: unknown[] }).refs.every((x) => x === undefined)).toBe(true);
  });
});
