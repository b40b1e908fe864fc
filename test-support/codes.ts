/** Assertions on devfs errors (Node's system-error shape: code, errno, syscall, path). */

/** Expects `fn` to throw an error with `code` and a numeric `errno` (a DevfsError). */
export function expectCode(fn: () => unknown, code: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeDefined();
  expect((thrown as { code?: string }).code).toBe(code);
  expect(typeof (thrown as { errno?: number }).errno).toBe('number');
}
