/**
 * Issue 13 item 5 against a real root daemon with the persistence the core README recommends
 * (`CHANGE .* COPY file` + `REGISTER .* RESTORE file`): user A (uid 65534) chmods its pts/N, its
 * session ends, user B (uid 1) gets the same pts/N — and it is B's, not A's. A state file from an
 * older version that names pts/N for A is dropped with a logged reason, not applied.
 */
import * as fs from 'fs';
import * as path from 'path';
import { describeHost, needRoot } from '../../../test-support/host';
import { cli, until } from './helpers';
import { DAEMON_USER as B, NOBODY as A, ptySession as session, rootDaemonSuite, Who } from './jail-helpers';

/** The pts numbers `who` sees (polls until there is one, up to 8 s). */
async function ownPts(sock: string, who: Who): Promise<string[]> {
  let names: string[] = [];
  const some = async () => {
    const r = await cli(sock, ['ls', 'pts'], who);
    names = r.code === 0 ? r.stdout.split('\n').filter(Boolean) : [];
    return names.length > 0;
  };
  await until(some, 'a pts', 8000, 100).catch(() => undefined); // none after 8 s: the caller's expect says so
  return names;
}

describeHost('persistence never hands a pts to its previous holder (root daemon, uid 65534 then uid 1)', [needRoot], () => {
  const state = () => path.join(dir(), 'perms.json');
  const { sock, dir, daemon } = rootDaemonSuite({
    setup: (d) => {
      const file = path.join(d, 'perms.json');
      // what an older daemon saved after A's `chmod 0666 pts/0`
      fs.writeFileSync(file, JSON.stringify({ format: 'devfs-events-state', version: 1, mounts: { jail: { 'pts/0': { uid: A.uid, gid: 5, mode: 0o666 } } } }));
      fs.writeFileSync(path.join(d, 'devfsd.conf'), `CHANGE .* COPY ${file}\nREGISTER .* RESTORE ${file}\n`);
      fs.writeFileSync(path.join(d, 'devfs.json'), JSON.stringify({ events: ['devfsd.conf'] }));
    },
    args: (d) => ['--config', path.join(d, 'devfs.json')],
  });

  test("A chmods its pts and leaves; B gets the same number and it is B's (owner, mode), A cannot see it", async () => {
    const a = session(sock(), A, 3);
    const [n] = await ownPts(sock(), A);
    expect(n).toBeDefined();
    await until(() => /dropped/.test(daemon().out()), 'the stale state to be dropped and logged');
    expect(daemon().out()).toMatch(new RegExp(`saved state for mount 'jail' dropped: 'pts/${n}' is made per open or for a credential`));
    const st = JSON.parse((await cli(sock(), ['--json', 'stat', `pts/${n}`], A)).stdout);
    expect([st.uid, st.mode & 0o7777]).toEqual([A.uid, 0o620]);
    expect(await cli(sock(), ['chmod', '0666', `pts/${n}`], A)).toMatchObject({ code: 0 });
    await a.done;
    await until(() => !/"pts\//.test(fs.readFileSync(state(), 'utf8')), 'the state file to hold no pts entry', 5000);

    const b = session(sock(), B, 3);
    const [m] = await ownPts(sock(), B);
    expect(m).toBe(n);                                         // the number is reused
    const mine = JSON.parse((await cli(sock(), ['-m', 'jail', '--json', 'stat', `pts/${m}`])).stdout);
    expect([mine.uid, mine.mode & 0o7777]).toEqual([B.uid, 0o620]);
    expect((await cli(sock(), ['stat', `pts/${m}`], A)).stderr).toMatch(/^devfs: ENOENT: /);
    expect((await cli(sock(), ['cat', `pts/${m}`, '--bytes', '1'], A)).stderr).toMatch(/^devfs: ENOENT: /);
    expect(JSON.parse(fs.readFileSync(state(), 'utf8')).mounts.jail?.[`pts/${m}`]).toBeUndefined();
    await b.done;
  }, 40000);
});
