/**
 * Gating for tests that need something of the host (root, /dev/net/tun, a tool on PATH).
 * Without the requirement the suite is skipped with its reason printed; with DEVFS_REQUIRE_HOST=1
 * (set by .ci/run, because CI has root) the missing requirement is a failing test instead.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';

/** A check returns null when the host can run the suite, else the reason it cannot. */
export type HostCheck = () => string | null;

/** Needs uid 0. */
export const needRoot: HostCheck = () =>
  process.getuid && process.getuid() === 0 ? null : 'needs root (uid 0)';

/** Needs an executable on PATH. */
export function needTool(tool: string): HostCheck {
  return () => {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
      return null;
    } catch {
      return `needs '${tool}' on PATH`;
    }
  };
}

/** Needs a file (e.g. /dev/net/tun). */
export function needFile(file: string): HostCheck {
  return () => (fs.existsSync(file) ? null : `needs ${file}`);
}

/** First failing check's reason, or null. */
export function hostMissing(...checks: HostCheck[]): string | null {
  for (const c of checks) {
    const why = c();
    if (why) return why;
  }
  return null;
}

/**
 * `describe` that runs only when every check passes. Otherwise it prints the reason and skips, or,
 * under DEVFS_REQUIRE_HOST=1, registers one failing test that names the reason.
 */
export function describeHost(name: string, checks: HostCheck[], body: () => void): void {
  const why = hostMissing(...checks);
  if (!why) {
    describe(name, body);
    return;
  }
  if (process.env.DEVFS_REQUIRE_HOST === '1') {
    describe(name, () => {
      test(`host requirement: ${why}`, () => {
        throw new Error(`${name}: ${why} (DEVFS_REQUIRE_HOST=1 turns this skip into a failure)`);
      });
    });
    return;
  }
  // Conditional skip: the reason is printed and also carried in the suite name, so it shows in
  // Jest's report and --json results, not only on stderr.
  // eslint-disable-next-line no-console
  console.warn(`skipping "${name}": ${why}`);
  describe.skip(`${name} (skipped: ${why})`, body);
}
