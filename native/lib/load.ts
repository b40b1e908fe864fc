import * as path from 'path';

/** Paths the loader tries, in order, for the compiled addon. */
export function candidatePaths(): string[] {
  const root = path.resolve(__dirname, '..');
  const override = process.env.DEVFS_NATIVE_PATH;
  return [
    ...(override ? [override] : []),
    path.join(root, 'build', 'Release', 'devfs_native.node'),
    path.join(root, 'build', 'Debug', 'devfs_native.node'),
  ];
}

/**
 * Loads the compiled addon. When no candidate loads, the thrown error lists every path tried and
 * why each failed, so a missing build is obvious (`pnpm --filter @devfs/native run build`).
 */
export function loadAddon<T>(): T {
  const tried: string[] = [];
  for (const p of candidatePaths()) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      return require(p) as T;
    } catch (err) {
      tried.push(`  ${p}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  const e = new Error(
    `@devfs/native: could not load the addon; build it with 'pnpm --filter @devfs/native run build'. Tried:\n${tried.join('\n')}`,
  ) as Error & { code: string };
  e.code = 'ERR_DEVFS_NATIVE_MISSING';
  throw e;
}
