/**
 * Command-line clean-up before commander sees it: `pnpm start -- --driver X` (pnpm ≥ 9 passes the
 * `--` through to the script) must mean `daemon --driver X`, not "`--driver X` are operands".
 */

/** Global options that take a value (their value is skipped when looking for the verb). */
const VALUED = new Set(['--socket', '-m', '--mount']);

/**
 * `argv` (process.argv form) without a `--` standing where the verb is expected, nor one right
 * after `daemon` (the daemon takes no operands). A `--` anywhere else (`pty spawn -- CMD`) stays.
 */
export function dropStrayDashes(argv: string[]): string[] {
  const a = [...argv];
  const i = verbIndex(a);
  if (a[i] === '--') a.splice(i, 1);
  if (a[i] === 'daemon' && a[i + 1] === '--') a.splice(i + 1, 1);
  return a;
}

/** Index of the first argument after the global options (the verb, or a `--`). */
export function verbIndex(argv: string[]): number {
  let i = 2;
  while (i < argv.length && argv[i] !== '--' && argv[i].startsWith('-')) i += VALUED.has(argv[i]) ? 2 : 1;
  return i;
}

/** True when --json is among the global options. */
export function globalJson(argv: string[]): boolean {
  return argv.slice(2, verbIndex(argv)).includes('--json');
}
