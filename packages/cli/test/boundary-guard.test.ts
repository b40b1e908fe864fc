/**
 * The FrameGuard's resource rules on their own (the boundary suites attack them through a real
 * daemon): whole messages only, the shared budget charged while a message is incomplete and
 * refunded when it completes or the stream is destroyed, the per-message deadline, and `ready()`
 * holding the stream. Plus the config keys that set the limits.
 */
import { checkConfig, DEFAULT_LIMITS, limitsOf } from '../src/daemon/config';
import { FrameGuard, SharedBudget } from '../src/protocol/guard';
import { escapeControl } from '../src/escape';

const msg = (body: string) => `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

describe('FrameGuard: whole messages, a shared budget, a deadline, a gate', () => {
  test('passes on each message whole, however it was split', () => {
    const g = new FrameGuard();
    const got: string[] = [];
    g.on('data', (b: Buffer) => got.push(b.toString()));
    const two = msg('{"a":1}') + msg('{"b":2}');
    for (const c of two) g.write(c);
    expect(got).toEqual([msg('{"a":1}'), msg('{"b":2}')]);
  });

  test('charges an incomplete message to the budget, refunds it on completion and on destroy; ENOBUFS past the cap', async () => {
    const budget = new SharedBudget(1000);
    const a = new FrameGuard({ budget });
    a.on('data', () => undefined);
    a.write(`Content-Length: 600\r\n\r\n${'x'.repeat(300)}`);
    await new Promise((r) => setImmediate(r));
    expect(budget.inUse).toBe(a.pendingBytes);
    expect(budget.inUse).toBeGreaterThan(300);
    a.write('x'.repeat(300));
    await new Promise((r) => setImmediate(r));
    expect(budget.inUse).toBe(0);
    a.write(`Content-Length: 600\r\n\r\n${'x'.repeat(500)}`);
    const b = new FrameGuard({ budget });
    const err = new Promise<Error>((r) => b.on('error', r));
    b.write(`Content-Length: 900\r\n\r\n${'y'.repeat(800)}`);
    expect(await err).toMatchObject({ code: 'ENOBUFS' });
    expect(budget.inUse).toBe(a.pendingBytes);
    a.destroy();
    expect(budget.inUse).toBe(0);
  });

  test('a message not completed within frameTimeoutMs fails the stream with ETIMEDOUT; an idle stream does not', async () => {
    const idle = new FrameGuard({ frameTimeoutMs: 50 });
    const slow = new FrameGuard({ frameTimeoutMs: 50 });
    const idleErr = jest.fn();
    idle.on('error', idleErr);
    const err = new Promise<Error>((r) => slow.on('error', r));
    slow.write('Content-Len');
    expect(await err).toMatchObject({ code: 'ETIMEDOUT' });
    await new Promise((r) => setTimeout(r, 80)); // deliberate: longer than frameTimeoutMs, and the idle stream must not fail
    expect(idleErr).not.toHaveBeenCalled();
    idle.destroy();
  });

  test('ready() false holds the next message until wake()', () => {
    let open = false;
    const g = new FrameGuard({ ready: () => open });
    const got: string[] = [];
    g.on('data', (b: Buffer) => got.push(b.toString()));
    g.write(msg('1') + msg('2'));
    expect(got).toEqual([]);
    open = true;
    g.wake();
    expect(got).toEqual([msg('1'), msg('2')]);
  });
});

describe('daemon config: log and limits', () => {
  test('limits override the defaults key by key; log is resolved against the config file', () => {
    const c = checkConfig({ log: 'devfs.log', limits: { connectionsPerUser: 8, frameTimeoutMs: 500 } }, '/etc/devfs/devfs.json');
    expect(c.log).toBe('/etc/devfs/devfs.log');
    expect(limitsOf(c)).toEqual({ ...DEFAULT_LIMITS, connectionsPerUser: 8, frameTimeoutMs: 500 });
    expect(limitsOf({})).toEqual(DEFAULT_LIMITS);
  });

  test.each([
    [{ limits: { connections: 1 } }, /unknown key 'limits.connections'/],
    [{ limits: { connectionsPerUser: 0 } }, /limits.connectionsPerUser must be an integer >= 1/],
    [{ limits: { fdReserve: -1 } }, /limits.fdReserve must be an integer >= 0/],
    [{ limits: { pendingFrameBytes: 1.5 } }, /must be an integer/],
    [{ limits: [] }, /'limits' must be an object/],
    [{ log: '' }, /'log' must be a file name/],
  ])('refuses %j', (raw, why) => {
    expect(() => checkConfig(raw)).toThrow(why);
  });
});

describe('escapeControl', () => {
  test('C0 (newline, CR, tab, ESC), DEL, C1, line separators and bidi overrides become visible escapes; the rest is kept', () => {
    expect(escapeControl('a\nb\rc\td\x1b[2J\x7f\u009b\u2028\u202e é ✓ \\x41')).toBe('a\\nb\\rc\\td\\x1b[2J\\x7f\\x9b\\u2028\\u202e é ✓ \\x41');
    expect(escapeControl(escapeControl('x\ny'))).toBe('x\\ny');
  });
});
