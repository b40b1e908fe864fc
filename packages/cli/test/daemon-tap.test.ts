import { execFileSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { describeHost, needFile, needRoot, needTool } from '../../../test-support/host';
import { cli, DaemonProc, startDaemon, stopDaemon, tempDir } from './helpers';

/** Tap interfaces inside a network namespace (ip -o link lines → names). */
function tapsIn(ns: string): string[] {
  const out = execFileSync('ip', ['netns', 'exec', ns, 'ip', '-o', 'link', 'show'], { encoding: 'utf8' });
  return out.split('\n').map((l) => /^\d+: ([^:@]+)/.exec(l)?.[1]).filter((n): n is string => !!n && n.startsWith('tap'));
}

describeHost('devfs tap create/destroy through the daemon (daemon inside its own netns)', [needRoot, needFile('/dev/net/tun'), needTool('ip')], () => {
  const ns = `devfs-test-cli-${crypto.randomBytes(4).toString('hex')}`;
  let dir: string;
  let sock: string;
  let d: DaemonProc | undefined;

  beforeAll(async () => {
    execFileSync('ip', ['netns', 'add', ns]);
    dir = tempDir();
    sock = path.join(dir, 'devfs.sock');
    // the socket is a filesystem path, so clients outside the namespace reach the daemon inside it
    d = await startDaemon(sock, [], {}, ['ip', 'netns', 'exec', ns]);
  }, 30000);

  afterAll(async () => {
    if (d) await stopDaemon(d);
    try { execFileSync('ip', ['netns', 'del', ns]); } catch { /* already gone */ }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('create makes a real interface and its node; destroy removes both; shutdown removes what the daemon made', async () => {
    const c = await cli(sock, ['tap', 'create']);
    expect(c).toMatchObject({ code: 0 });
    const name = c.stdout.trim();
    expect(name).toMatch(/^tap\d+$/);
    expect(tapsIn(ns)).toContain(name);
    expect((await cli(sock, ['ls'])).stdout.split('\n')).toContain(name);

    const again = await cli(sock, ['tap', 'create', name]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^devfs: EEXIST: /);

    expect(await cli(sock, ['tap', 'destroy', name])).toMatchObject({ code: 0 });
    expect(tapsIn(ns)).not.toContain(name);
    expect((await cli(sock, ['ls'])).stdout.split('\n')).not.toContain(name);
    const missing = await cli(sock, ['tap', 'destroy', name]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^devfs: (ENXIO|ENOENT): /);

    const kept = (await cli(sock, ['tap', 'create', 'tap7'])).stdout.trim();
    expect(kept).toBe('tap7');
    expect(tapsIn(ns)).toContain('tap7');
    expect(await stopDaemon(d!)).toBe(0);
    d = undefined;
    expect(tapsIn(ns)).toEqual([]);
    expect(fs.existsSync(sock)).toBe(false);
  }, 30000);
});
