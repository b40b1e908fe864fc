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

/** The test body that fails naming what the host lacks (DEVFS_REQUIRE_HOST=1). */
function requiredButMissing(name: string, why: string): () => void {
  return () => {
    throw new Error(`${name}: ${why} (DEVFS_REQUIRE_HOST=1 turns this skip into a failure)`);
  };
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
      test(`host requirement: ${why}`, requiredButMissing(name, why));
    });
    return;
  }
  describe.skip(`${name} (skipped: ${skipReason(name, why)})`, body);
}

/**
 * `test` that runs only when every check passes (one test of a suite that needs more of the host
 * than the rest, e.g. root for a uid-65534 client). Skips with its reason printed, or under
 * DEVFS_REQUIRE_HOST=1 fails naming the reason, as describeHost does.
 */
export function testHost(name: string, checks: HostCheck[], fn: jest.ProvidesCallback, timeout?: number): void {
  const why = hostMissing(...checks);
  if (!why) {
    test(name, fn, timeout);
    return;
  }
  if (process.env.DEVFS_REQUIRE_HOST === '1') {
    test(`${name} (host requirement: ${why})`, requiredButMissing(name, why));
    return;
  }
  test.skip(`${name} (skipped: ${skipReason(name, why)})`, fn);
}

/**
 * Prints why `name` is skipped and returns the reason. Conditional skip: the reason is printed and
 * also carried in the test or suite name, so it shows in Jest's report and --json results, not
 * only on stderr.
 */
function skipReason(name: string, why: string): string {
  // eslint-disable-next-line no-console
  console.warn(`skipping "${name}": ${why}`);
  return why;
}
