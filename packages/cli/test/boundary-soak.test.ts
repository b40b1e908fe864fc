/**
 * The short soak (CI): test/soak/soak.js for 25 s after a 10 s warm-up, with a 10 s settle —
 * mixed uid-65534 clients (pty sessions, floods, half messages, idle bursts past the cap, garbage,
 * abrupt disconnects, SIGKILLed `devfs pty spawn` clients) against a real root daemon while root
 * runs `devfs mounts` every 2 s. The daemon must stay alive, serve root every time, come back to
 * its start fd count and RSS (±10%) with no child left, and shut down cleanly. The full soak is the
 * same script with its default 5 minutes (see packages/cli/README.md).
 */
import { spawn } from 'child_process';
import * as path from 'path';
import { describeHost, needRoot } from '../../../test-support/host';
import { BIN, letOthersReachRepo } from './helpers';

describeHost('boundary: short soak of the root daemon against mixed uid-65534 clients', [needRoot], () => {
  let restore: (() => void) | undefined;
  beforeAll(() => { restore = letOthersReachRepo(); });
  afterAll(() => restore?.());

  test('alive, root served throughout, fds and RSS back within 10%, no child left, clean shutdown', async () => {
    const child = spawn(process.execPath, [path.join(__dirname, 'soak', 'soak.js')], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DEVFS_BIN: BIN, SOAK_SECONDS: '25', SOAK_WARMUP: '10', SOAK_SETTLE: '10' },
    });
    let out = '';
    child.stdout!.on('data', (b) => { out += b; });
    child.stderr!.on('data', (b) => { out += b; });
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    const last = out.trimEnd().split('\n').reverse().find((l) => l.startsWith('{'));
    expect(last).toBeDefined();
    const summary = JSON.parse(last!) as { checks: Record<string, boolean>; rootRequests: number };
    // eslint-disable-next-line no-console
    if (code !== 0) console.error(out); // the figures, for whoever reads a failure
    expect(summary.checks).toEqual({
      daemonAlive: true, fdsWithin10pct: true, rssWithin10pct: true, noChildrenLeft: true, rootServedThroughout: true, cleanShutdown: true,
    });
    expect(summary.rootRequests).toBeGreaterThanOrEqual(10);
    expect(code).toBe(0);
  }, 90000);
});
