/**
 * An isolated plugin's sysctl nodes and miss hook through a real daemon and the CLI: `devfs
 * sysctl` reads the nodes the plugin created in its worker (from the worker's snapshots), sees a
 * value the plugin changes, writes one (set in the worker), and an unprivileged caller sees only the
 * node about a device its mount shows; an open of a missing name is served by the plugin's miss
 * hook; a hook that spins fails that open with ETIMEDOUT while the daemon answers, and the nodes go
 * with the worker and come back with its restart.
 */
import * as fs from 'fs';
import * as path from 'path';
import { needRoot, testHost } from '../../../test-support/host';
import { AS_ROOT, callerArgs, cli, DaemonProc, letOthersReachRepo, NOBODY, REPO, startDaemon, stopDaemon, tempDir, until } from './helpers';

const KNOBS = path.join(REPO, 'packages', 'core', 'test', 'isolate-fixtures', 'knobs');

describe("an isolated plugin's sysctl nodes and miss hook in a daemon", () => {
  let dir: string;
  let sock: string;
  let d: DaemonProc;
  let restoreModes: (() => void) | undefined;
  /** `devfs --json sysctl NAME`: exit code and the value, or the error. */
  const sysctl = async (name: string, as = {}) => {
    const r = await cli(sock, ['--json', 'sysctl', name], as);
    return r.code === 0 ? { code: 0, value: JSON.parse(r.stdout) } : { code: r.code, error: JSON.parse(r.stderr).error };
  };
  const value = async (name: string) => (await sysctl(name)).value?.[0]?.value;

  beforeAll(async () => {
    if (AS_ROOT) restoreModes = letOthersReachRepo();
    dir = tempDir();
    sock = path.join(dir, 'devfs.sock');
    fs.writeFileSync(path.join(dir, 'knob.rules'), "[knobjail=51]\nadd include $devfsrules_hide_all\nadd path 'knob0' unhide\n");
    d = await startDaemon(sock, callerArgs(dir, {
      drivers: [{ module: KNOBS, isolate: true, callTimeoutMs: 2000, backoffMs: 2000 }],
      rules: ['knob.rules'],
      mounts: [{ name: 'root' }, { name: 'jail', ruleset: 'knobjail', jail: true }],
    }));
  }, 30000);

  afterAll(async () => {
    if (d) expect(await stopDaemon(d)).toBe(0);
    fs.rmSync(dir, { recursive: true, force: true });
    restoreModes?.();
  });

  test('devfs sysctl reads the nodes, sees a value the plugin changes, writes one in the worker', async () => {
    expect(await sysctl('dev.knob.level')).toEqual({ code: 0, value: [{ name: 'dev.knob.level', value: 1 }] });
    expect(await value('dev.knob.bytes')).toBe(0);
    expect(await sysctl('dev.knob.broken')).toEqual({ code: 1, error: expect.objectContaining({ code: 'EIO', message: expect.stringMatching(/the knob is broken/) }) });
    // a listing carries the broken node as a row with its error; the others still read
    const all = await sysctl('dev.knob');
    expect(all.code).toBe(0);
    expect(all.value).toEqual(expect.arrayContaining([
      { name: 'dev.knob.broken', error: { code: 'EIO', message: expect.stringMatching(/the knob is broken/) } },
      { name: 'dev.knob.level', value: 1 },
    ]));
    expect((await cli(sock, ['sysctl'])).stdout).toMatch(/^dev\.knob\.broken: \(EIO: .*the knob is broken.*\)$/m);
    expect((await cli(sock, ['write', 'knob0', 'hello'])).code).toBe(0);
    await until(async () => (await value('dev.knob.bytes')) === 5, 'the written bytes in the sysctl');
    // a write is set in the worker: the answer has the old and the new value
    expect(JSON.parse((await cli(sock, ['--json', 'sysctl', 'dev.knob.level=5'])).stdout)).toEqual([{ name: 'dev.knob.level', value: 5, old: 1 }]);
    expect(await value('dev.knob.level')).toBe(5);
    const bad = await cli(sock, ['sysctl', 'dev.knob.level=x']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^devfs: EINVAL: invalid value 'x' for dev.knob.level: 0\.\.9/);
    expect(await value('dev.knob.level')).toBe(5);
  });

  testHost('an unprivileged caller sees only the node about a device its mount shows', [needRoot], async () => {
    expect(await sysctl('dev.knob', NOBODY)).toEqual({ code: 0, value: [{ name: 'dev.knob.bytes', value: 5 }] });
    expect(await sysctl('dev.knob.level', NOBODY)).toMatchObject({ code: 1, error: { code: 'ENOENT' } });
  });

  test("the plugin's miss hook serves an open; one that spins fails with ETIMEDOUT while the daemon answers; the nodes go and come back", async () => {
    expect((await cli(sock, ['cat', 'knobm2'])).code).toBe(0);
    expect((await cli(sock, ['ls'])).stdout.split('\n')).toEqual(expect.arrayContaining(['knob0', 'knobm2']));
    let done = false;
    const spin = cli(sock, ['cat', 'knobspin']).then((r) => { done = true; return r; });
    const ls = await cli(sock, ['ls']);
    expect(ls.stdout).toMatch(/^null$/m);
    expect(done).toBe(false); // answered while the hook spins
    const r = await spin;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^devfs: ETIMEDOUT: /);
    // the watchdog ends the worker (up to one heartbeat check after the call timed out); down for backoffMs, its nodes and devices are gone
    await until(async () => (await sysctl('dev.knob.level')).error?.code === 'ENOENT', 'the nodes to go with the worker', 5000, 50);
    expect((await cli(sock, ['ls'])).stdout.split('\n')).not.toContain('knob0');
    await until(async () => (await sysctl('dev.knob.bytes')).code === 0, 'the restarted plugin\'s nodes', 15000, 100);
    expect(await value('dev.knob.bytes')).toBe(0); // a new incarnation's
    expect((await cli(sock, ['cat', 'knobm3'])).code).toBe(0);
  }, 30000);
});
