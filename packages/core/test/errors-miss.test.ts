/**
 * The ENOENT of a lookup miss (stat, lstat, open, readdir of a name that does not exist) is built
 * without V8's Error machinery (errors.ts devfsErrorNoStack: fields set directly, message
 * formatted when read). It must still be a DevfsError with Node's system-error shape, read and
 * written like any other error, and the same whether the miss was walked or answered from the
 * mount's path cache.
 */
import * as util from 'util';
import { DevfsError, devfsError, toDevfsError, reasonOf } from '@devfs/core';
import { bareKernel, plainsw } from './helpers';

/** The error `fn` throws (fails the test when it returns). */
function thrown(fn: () => unknown): DevfsError {
  try {
    fn();
  } catch (e) {
    return e as DevfsError;
  }
  throw new Error('expected a throw');
}

describe('the ENOENT of a lookup miss', () => {
  const k = bareKernel();
  k.make_dev(plainsw, 0, 0, 0, 0o666, 'dev0');
  const m = k.mount();

  test.each([
    ['stat', (p: string) => m.stat(p)],
    ['lstat', (p: string) => m.lstat(p)],
  ])('%s: Node system-error shape, equal to the eagerly built error, walked and cached', (syscall, call) => {
    const eager = devfsError('ENOENT', syscall, 'tap7');
    for (let i = 0; i < 3; i++) { // the first walks, the next ones come from the cache
      const e = thrown(() => call('tap7'));
      expect(e).toBeInstanceOf(DevfsError);
      expect(e).toBeInstanceOf(Error);
      expect(e.constructor).toBe(DevfsError);
      expect(e.name).toBe('DevfsError');
      expect(e.code).toBe('ENOENT');
      expect(e.errno).toBe(eager.errno);
      expect(e.errno).toBe(-2);
      expect(e.syscall).toBe(syscall);
      expect(e.path).toBe('tap7');
      expect(e.message).toBe(eager.message);
      expect(e.message).toBe(`ENOENT: no such file or directory, ${syscall} 'tap7'`);
      expect(e.stack).toBe(`DevfsError: ${eager.message}`);
      expect(String(e)).toBe(`DevfsError: ${eager.message}`);
      expect(Object.keys(e)).toEqual(Object.keys(eager));
    }
  });

  test('the message escapes control characters and cuts a long path, as every error does', () => {
    const odd = `a\nb\u001b${'x'.repeat(200)}/${'y'.repeat(200)}`;
    const e = thrown(() => m.stat(odd));
    expect(e.message).toBe(devfsError('ENOENT', 'stat', odd).message);
    expect(e.message).not.toMatch(/[\n\u001b]/);
    expect(e.path).toBe(odd);
  });

  test('message, stack and other fields can be assigned; each error is its own object', () => {
    const a = thrown(() => m.stat('nope'));
    const b = thrown(() => m.stat('nope'));
    expect(a).not.toBe(b);
    a.message = 'changed';
    a.stack = 'my stack';
    (a as DevfsError & { extra?: number }).extra = 1;
    expect(a.message).toBe('changed');
    expect(a.stack).toBe('my stack');
    expect(b.message).toBe("ENOENT: no such file or directory, stat 'nope'");
    expect(b.stack).toBe("DevfsError: ENOENT: no such file or directory, stat 'nope'");
  });

  test('the error helpers and util.inspect treat it as the DevfsError it is', () => {
    const e = thrown(() => m.stat('nope'));
    expect(toDevfsError(e)).toBe(e);
    expect(reasonOf(e)).toBe('no such file or directory');
    const shown = util.inspect(e);
    const eager = devfsError('ENOENT', 'stat', 'nope');
    eager.stack = `DevfsError: ${eager.message}`; // no frames, as the miss's
    expect(shown).toBe(util.inspect(eager));
    expect(shown).toContain("[DevfsError: ENOENT: no such file or directory, stat 'nope']");
    (e as DevfsError & { extra?: number }).extra = 7;
    expect(util.inspect(e)).toContain('extra: 7');
    expect(() => { throw e; }).toThrow(/^ENOENT: no such file or directory, stat 'nope'$/);
  });

  test('throwIfNoEntry: false gives undefined; true or absent throws the same error', () => {
    expect(m.stat('nope', undefined as never, { throwIfNoEntry: false })).toBeUndefined();
    expect(thrown(() => m.stat('nope', { uid: 0, gid: 0 }, { throwIfNoEntry: true })).message).toBe("ENOENT: no such file or directory, stat 'nope'");
    expect(thrown(() => m.lstat('nope', { uid: 0, gid: 0 }, {})).syscall).toBe('lstat');
    expect(m.stat('dev0').ino).toBe(m.stat('dev0', { uid: 0, gid: 0 }, { throwIfNoEntry: false })!.ino);
  });
});
