/**
 * Issue 13 item 5 against a real root daemon with the persistence the core README recommends
 * (`CHANGE .* COPY file` + `REGISTER .* RESTORE file`): user A (uid 65534) chmods its pts/N, its
 * session ends, user B (uid 1) gets the same pts/N — and it is B's, not A's. A state file from an
 * older version that names pts/N for A is dropped with a logged reason, not applied.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { describeHost, needRoot } from '../../../test-support/host';
import { BIN, cli, DaemonProc, letOthersReachRepo, startDaemon, stopDaemon, tempDir, until } from './helpers';

const A = { uid: 65534, gid: 65534 };
const B = { uid: 1, gid: 1 };

/** `devfs pty spawn -- sleep SECONDS` as `who`, in the background; resolves when its client exited. */
function session(sock: string, who: { uid: number; gid: number }, seconds: number): { child: ChildProcess; done: Promise<void> } {
  const child = spawn(process.execPath, [BIN, '--socket', sock, 'pty', 'spawn', '--', 'sleep', String(seconds)], {
    cwd: '/', uid: who.uid, gid: who.gid, stdio: ['ignore', 'ignore', 'ignore'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  });
  return { child, done: new Promise((r) => child.once('exit', () => r())) };
}

/** The pts numbers `who` sees (polls until there is one, up to 8 s). */
async function ownPts(sock: string, who: { uid: number; gid: number }): Promise<string[]> {
  const end = Date.now() + 8000;
  for (;;) {
    const r = await cli(sock, ['ls', 'pts'], who);
    const names = r.code === 0 ? r.stdout.split('\n').filter(Boolean) : [];
    if (names.length > 0 || Date.now() > end) return names;
    await new Promise((res) => setTimeout(res, 100));
  }
}

describeHost('persistence never hands a pts to its previous holder (root daemon, uid 65534 then uid 1)', [needRoot], () => {
  let dir: string;
  let sock: string;
  let state: string;
  let d: DaemonProc | undefined;
  let restoreModes: (() => void) | undefined;

  beforeAll(async () => {
    restoreModes = letOthersReachRepo();
    dir = tempDir();
    sock = path.join(dir, 'devfs.sock');
    state = path.join(dir, 'perms.json');
    // what an older daemon saved after A's `chmod 0666 pts/0`
    fs.writeFileSync(state, JSON.stringify({ format: 'devfs-events-state', version: 1, mounts: { jail: { 'pts/0': { uid: A.uid, gid: 5, mode: 0o666 } } } }));
    fs.writeFileSync(path.join(dir, 'devfsd.conf'), `CHANGE .* COPY ${state}\nREGISTER .* RESTORE ${state}\n`);
    fs.writeFileSync(path.join(dir, 'devfs.json'), JSON.stringify({ events: ['devfsd.conf'] }));
    d = await startDaemon(sock, ['--config', path.join(dir, 'devfs.json')]);
  }, 30000);

  afterAll(async () => {
    if (d) await stopDaemon(d);
    fs.rmSync(dir, { recursive: true, force: true });
    restoreModes?.();
  });

  test("A chmods its pts and leaves; B gets the same number and it is B's (owner, mode), A cannot see it", async () => {
    const a = session(sock, A, 3);
    const [n] = await ownPts(sock, A);
    expect(n).toBeDefined();
    await until(() => /dropped/.test(d!.out()), 'the stale state to be dropped and logged');
    expect(d!.out()).toMatch(new RegExp(`saved state for mount 'jail' dropped: 'pts/${n}' is made per open or for a credential`));
    const st = JSON.parse((await cli(sock, ['--json', 'stat', `pts/${n}`], A)).stdout);
    expect([st.uid, st.mode & 0o7777]).toEqual([A.uid, 0o620]);
    expect(await cli(sock, ['chmod', '0666', `pts/${n}`], A)).toMatchObject({ code: 0 });
    await a.done;
    await until(() => !/"pts\//.test(fs.readFileSync(state, 'utf8')), 'the state file to hold no pts entry', 5000);

    const b = session(sock, B, 3);
    const [m] = await ownPts(sock, B);
    expect(m).toBe(n);                                         // the number is reused
    const mine = JSON.parse((await cli(sock, ['-m', 'jail', '--json', 'stat', `pts/${m}`])).stdout);
    expect([mine.uid, mine.mode & 0o7777]).toEqual([B.uid, 0o620]);
    expect((await cli(sock, ['stat', `pts/${m}`], A)).stderr).toMatch(/^devfs: ENOENT: /);
    expect((await cli(sock, ['cat', `pts/${m}`, '--bytes', '1'], A)).stderr).toMatch(/^devfs: ENOENT: /);
    expect(JSON.parse(fs.readFileSync(state, 'utf8')).mounts.jail?.[`pts/${m}`]).toBeUndefined();
    await b.done;
  }, 40000);
});
