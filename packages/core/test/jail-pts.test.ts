/**
 * Issue 13 item 6: in a jail mount, another user's pts/N does not exist for you (FreeBSD's
 * devfs_prison_check hides another prison's ptys through si_cred). The pty driver makes pts/N for
 * the opener's credential; a jail mount shows such a device to that uid and to root only, in
 * lookup, readdir, stat, open and every path call. A host (non-jail) mount is not filtered.
 */
import { createKernel, ROOT } from '@devfs/core';
import type { Cred, DevFile, Kernel, Mount } from '@devfs/core';
import { PtyDriver, TIOCGPTN } from '@devfs/drivers-pty';

const A = { uid: 1000, gid: 1000, groups: [1000] };
const B = { uid: 1001, gid: 1001, groups: [1001] };

describe('a jail mount shows a pts/N only to the uid it was made for', () => {
  let kernel: Kernel;
  let driver: PtyDriver;
  let jail: Mount;
  let host: Mount;
  const open: DevFile[] = [];

  beforeEach(() => {
    kernel = createKernel();
    driver = new PtyDriver(kernel);
    driver.attach();
    jail = kernel.mount({ name: 'jail', ruleset: 'devfsrules_jail', jail: true });
    host = kernel.mount({ name: 'host' });
  });

  afterEach(async () => {
    for (const f of open.splice(0)) await f.close().catch(() => undefined);
    await driver.detach();
  });

  async function ptmx(cred: Cred): Promise<string> {
    const m = await jail.open('ptmx', 'r+', cred);
    open.push(m);
    return `pts/${await m.ioctl(TIOCGPTN)}`;
  }

  test('each user lists, stats and opens only its own pts; root and the host mount see both', async () => {
    const mine = await ptmx(A);
    const theirs = await ptmx(B);
    expect([mine, theirs]).toEqual(['pts/0', 'pts/1']);
    expect(kernel.lookupDev(theirs)!.si_cred).toMatchObject({ uid: B.uid });

    expect(jail.readdir('pts', A).map((d) => d.name)).toEqual(['0']);
    expect(jail.readdir('pts', B).map((d) => d.name)).toEqual(['1']);
    expect(jail.readdir('pts', ROOT).map((d) => d.name)).toEqual(['0', '1']);
    expect(host.readdir('pts', A).map((d) => d.name)).toEqual(['0', '1']);

    expect(jail.stat(mine, A).uid).toBe(A.uid);
    for (const call of [() => jail.stat(theirs, A), () => jail.lstat(theirs, A), () => jail.chmod(theirs, 0o666, A),
      () => jail.utimes(theirs, 0, 0, A), () => jail.unlink(theirs, A)]) {
      expect(call).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    }
    // mknod answers exactly as for a name that does not exist (its parent is not writable to A)
    const code = (f: () => void) => { try { f(); return 'ok'; } catch (e) { return (e as { code: string }).code; } };
    expect(code(() => jail.mknod(theirs, A))).toBe(code(() => jail.mknod('pts/9', A)));
    expect(code(() => jail.mknod(theirs, A))).not.toBe('EEXIST');
    await expect(jail.open(theirs, 'r+', A)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(jail.open(mine, 'r+', B)).rejects.toMatchObject({ code: 'ENOENT' });
    const slave = await jail.open(mine, 'r+', A);
    open.push(slave);
    expect(jail.stat(theirs, B).uid).toBe(B.uid);
    expect(jail.stat(theirs, ROOT).uid).toBe(B.uid);
  });

  test('a pts made for root is not shown to jail users; devices made without a credential are shown to all', async () => {
    const roots = await ptmx(ROOT);
    expect(() => jail.stat(roots, A)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(jail.readdir('', A).map((d) => d.name)).toEqual(expect.arrayContaining(['null', 'zero', 'ptmx', 'pts']));
    expect(jail.readdir('pts', A)).toEqual([]);
  });
});
