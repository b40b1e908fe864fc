/**
 * `@devfs/core/base` loads no native code: with the addon's loader replaced by one that throws,
 * the base entry still loads (and the main entry, as the control, does not).
 */
const NATIVE_LOADED = '@devfs/native was loaded';

function loadWithoutNative(path: string): Record<string, unknown> {
  let mod: Record<string, unknown> = {};
  jest.isolateModules(() => {
    jest.doMock('@devfs/native', () => { throw new Error(NATIVE_LOADED); });
    mod = require(path) as Record<string, unknown>;
  });
  return mod;
}

test('the base entry loads without the addon and has the error helper, accounts and constants', () => {
  const base = loadWithoutNative('../src/base');
  expect(typeof base.devfsError).toBe('function');
  expect(typeof base.DevfsError).toBe('function');
  expect(typeof base.toDevfsError).toBe('function');
  expect(typeof base.Accounts).toBe('function');
  expect(typeof base.resolveId).toBe('function');
  expect(base.O_NONBLOCK).toBe(0o4000);
  expect(base.ROOT).toEqual({ uid: 0, gid: 0, groups: [0] });
});

test('the main entry needs the addon (the control: the mock does bite)', () => {
  expect(() => loadWithoutNative('../src')).toThrow(NATIVE_LOADED);
});
