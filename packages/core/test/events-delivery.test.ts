import { DevEvent, Events } from '../src/events';
import { createKernel } from '../src';

type Reported = { err: Error; source: string };

function collecting(opts: ConstructorParameters<typeof Events>[0] = {}) {
  const errors: Reported[] = [];
  const events = new Events({ onError: (err, ctx) => errors.push({ err, source: ctx.source }), ...opts });
  return { events, errors };
}

describe('event delivery', () => {
  test('events arrive in order with consecutive sequence numbers, never inside emit', async () => {
    const { events } = collecting();
    const seen: DevEvent[] = [];
    events.on((e) => { seen.push(e); });
    for (let i = 0; i < 2500; i++) events.emit({ type: 'REGISTER', name: `d${i}`, ino: i + 3 });
    expect(seen).toHaveLength(0);            // emit only queued
    await events.flush();
    expect(seen).toHaveLength(2500);
    seen.forEach((e, i) => {
      expect(e.seq).toBe(i + 1);
      expect(e.name).toBe(`d${i}`);
    });
    expect(Object.isFrozen(seen[0])).toBe(true);
  });

  test('a delivered event has exactly the fields given, in DevEvent order, then seq and time; frozen', async () => {
    const { events } = collecting();
    const seen: DevEvent[] = [];
    events.on((e) => { seen.push(e); });
    events.emit({ data: { driver: 'x' }, mode: 0o600, name: 'a', type: 'REGISTER', ino: 7 });
    events.emit({ type: 'LOOKUP', name: 'b', mount: 'm', uid: 5, gid: 6 });
    events.emit({ type: 'CHANGE', name: 'c', mount: undefined, ino: 0, uid: 0 });
    await events.flush();
    expect(seen.map((e) => Object.keys(e))).toEqual([
      ['type', 'name', 'ino', 'mode', 'data', 'seq', 'time'],
      ['type', 'name', 'mount', 'uid', 'gid', 'seq', 'time'],
      ['type', 'name', 'ino', 'uid', 'seq', 'time'], // undefined fields are left out, zeros kept
    ]);
    expect(seen[0]).toMatchObject({ type: 'REGISTER', name: 'a', ino: 7, mode: 0o600, data: { driver: 'x' }, seq: 1 });
    for (const e of seen) expect(Object.isFrozen(e)).toBe(true);
  });

  test('the kernel\'s own REGISTER/UNREGISTER (queued deferred, built at delivery) have the same shape: fields in DevEvent order, seq, time; frozen', async () => {
    const k = createKernel({ memDevices: false });
    const seen: DevEvent[] = [];
    k.events.on((e) => { seen.push(e); });
    await k.destroy_dev(k.make_dev({ d_name: 'shape' }, 0, 0, 0, 0o600, 'shape0'));
    await k.events.flush();
    expect(seen.map((e) => [e.type, Object.keys(e)])).toEqual([
      ['REGISTER', ['type', 'name', 'ino', 'uid', 'gid', 'mode', 'data', 'seq', 'time']],
      ['UNREGISTER', ['type', 'name', 'ino', 'data', 'seq', 'time']],
    ]);
    expect(seen[1].seq).toBe(seen[0].seq + 1);
    for (const e of seen) expect(Object.isFrozen(e)).toBe(true);
  });

  test('a listener that throws is reported and neither the next listener nor later events are lost', async () => {
    const { events, errors } = collecting();
    const second: number[] = [];
    const first: number[] = [];
    events.on((e) => {
      first.push(e.seq);
      if (e.seq % 2 === 1) throw new Error(`boom ${e.seq}`);
    });
    events.on((e) => { second.push(e.seq); });
    for (let i = 0; i < 10; i++) expect(events.emit({ type: 'OPEN', name: 'null' })).toBe(i + 1);
    await events.flush();
    expect(first).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(second).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(errors.map((r) => r.err.message)).toEqual(
      [1, 3, 5, 7, 9].map((n) => expect.stringContaining(`boom ${n}`)) as unknown as string[]);
    expect(errors.every((r) => r.source === 'listener' && (r.err as { code?: string }).code === 'EIO')).toBe(true);
  });

  test('a rejected async listener is reported; a slow one does not hold up the others', async () => {
    const { events, errors } = collecting();
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const slowStarted: number[] = [];
    const fast: number[] = [];
    events.on(async (e) => {
      slowStarted.push(e.seq);
      await gate;                             // never resolves until the end of the test
    });
    events.on(async (e) => {
      if (e.name === 'bad') throw new Error('async failure');
      fast.push(e.seq);
    });
    for (let i = 0; i < 5; i++) events.emit({ type: 'CLOSE', name: i === 2 ? 'bad' : 'tty' });
    await events.flush();
    await new Promise((r) => setImmediate(r));
    expect(fast).toEqual([1, 2, 4, 5]);
    expect(slowStarted).toEqual([1, 2, 3, 4, 5]);
    expect(errors).toHaveLength(1);
    expect(errors[0].err.message).toContain('async failure');
    release();
  });

  test('without onError a failing listener becomes a process warning', async () => {
    // Jest's sandbox does not forward process 'warning' events, so watch the call itself.
    const spy = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const events = new Events();
      events.on(() => { throw new Error('listener exploded'); });
      events.emit({ type: 'NOTIFY', name: 'tap0', data: { link: 'up' } });
      await events.flush();
      expect(spy).toHaveBeenCalledWith(expect.stringContaining('listener exploded'),
        expect.objectContaining({ type: 'DevfsEventWarning', code: 'EIO' }));
    } finally {
      spy.mockRestore();
    }
  });

  test('an overrun drops and counts events, and the next delivered event is an overrun NOTIFY', async () => {
    const { events } = collecting({ queueLimit: 10 });
    const seen: DevEvent[] = [];
    events.on((e) => { seen.push(e); });
    for (let i = 0; i < 25; i++) events.emit({ type: 'REGISTER', name: `a${i}` });
    expect(events.overrunCount).toBe(15);
    await events.flush();
    expect(seen.map((e) => e.name)).toEqual([...Array.from({ length: 10 }, (_, i) => `a${i}`), '']);
    expect(seen[10]).toMatchObject({ type: 'NOTIFY', seq: 11, data: { overrun: 15, overrunTotal: 15 } });
    // After the overrun the stream carries on; a second overrun is reported alone.
    for (let i = 0; i < 12; i++) events.emit({ type: 'UNREGISTER', name: `b${i}` });
    events.emit({ type: 'UNREGISTER', name: 'late' });
    await events.flush();
    const tail = seen.slice(11);
    expect(tail.slice(0, 10).map((e) => e.name)).toEqual(Array.from({ length: 10 }, (_, i) => `b${i}`));
    expect(tail[10]).toMatchObject({ type: 'NOTIFY', data: { overrun: 3, overrunTotal: 18 } });
    expect(events.overrunCount).toBe(18);
    expect(tail.map((e) => e.seq)).toEqual(Array.from({ length: tail.length }, (_, i) => 12 + i));
  });

  test('once resolves with the matching event and times out with ETIMEDOUT', async () => {
    const { events } = collecting();
    const p = events.once('LOOKUP', (e) => e.name === 'md7');
    events.emit({ type: 'LOOKUP', name: 'md6' });
    events.emit({ type: 'LOOKUP', name: 'md7', mount: 'jail' });
    await expect(p).resolves.toMatchObject({ seq: 2, name: 'md7', mount: 'jail' });
    await expect(events.once('CHANGE', undefined, 20)).rejects.toMatchObject({ code: 'ETIMEDOUT' });
  });

  test('unsubscribe stops delivery; close delivers the queue and refuses new events', async () => {
    const { events } = collecting();
    const seen: string[] = [];
    const off = events.on((e) => { seen.push(e.name); });
    events.emit({ type: 'CREATE', name: 'x' });
    await events.flush();
    off();
    events.emit({ type: 'DELETE', name: 'y' });
    const again: string[] = [];
    events.on((e) => { again.push(e.name); });
    events.emit({ type: 'DELETE', name: 'z' });
    await events.close();
    expect(seen).toEqual(['x']);
    expect(again).toEqual(['y', 'z']);
    expect(events.emit({ type: 'DELETE', name: 'after' })).toBe(0);
  });

  test('bad options are EINVAL', () => {
    expect(() => new Events({ queueLimit: 0 })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => new Events({ execTimeoutMs: 1.5 })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });
});
