/**
 * Issue 13 item 5: persistence never grants. With the persistence the README recommends
 * (`CHANGE .* COPY file` + `REGISTER .* RESTORE file`), saved attributes go back only to the
 * device identity they were saved for (driver and unit), and never to a device that belongs to
 * whoever caused it: made for a credential (pts/N), made by a cloner (echoN, tap clones) or
 * auto-owned. State that does not match is dropped, and the drop is reported with its reason.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createKernel, D_AUTOOWN, STATE_FORMAT } from '@devfs/core';
import type { Cdev, DevFile, Kernel, Mount } from '@devfs/core';
import { PtyDriver, TIOCGPTN } from '@devfs/drivers-pty';

const A = { uid: 1000, gid: 1000, groups: [1000] };
const B = { uid: 1001, gid: 1001, groups: [1001] };

let dir: string;
let file: string;
let kernel: Kernel;
let errors: Array<{ code: string; message: string }>;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devfs-persist-'));
  file = path.join(dir, 'perms.json');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A kernel with the recommended persistence rules; reported failures are collected. */
function persistingKernel(): Kernel {
  const k = createKernel();
  errors = [];
  k.events.setErrorHandler((err) => { errors.push({ code: (err as Error & { code: string }).code, message: err.message }); });
  k.events.loadConfig(`CHANGE .* COPY ${file}\nREGISTER .* RESTORE ${file}\n`, 'persist.conf');
  return k;
}

function saved(): Record<string, Record<string, unknown>> {
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')).mounts : {};
}

describe('a pts/N is never handed to its previous holder (real pty driver)', () => {
  let driver: PtyDriver;
  let jail: Mount;

  beforeEach(() => {
    kernel = persistingKernel();
    driver = new PtyDriver(kernel);
    driver.attach();
    jail = kernel.mount({ name: 'jail', ruleset: 'devfsrules_jail', jail: true });
  });
  afterEach(() => driver.detach());

  async function session(cred: typeof A): Promise<{ master: DevFile; pts: string }> {
    const master = await jail.open('ptmx', 'r+', cred);
    return { master, pts: `pts/${await master.ioctl(TIOCGPTN)}` };
  }

  test("A chmods its pts/0 and leaves; B's pts/0 keeps B's owner and the default mode", async () => {
    const a = await session(A);
    expect(a.pts).toBe('pts/0');
    jail.chmod('pts/0', 0o666, A);                    // e.g. `mesg y` or a careless chmod
    await kernel.events.flush();
    expect(saved().jail?.['pts/0']).toBeUndefined();   // a per-session device is never saved
    await a.master.close();

    const b = await session(B);
    expect(b.pts).toBe('pts/0');                       // the number is reused
    await kernel.events.flush();                       // REGISTER (and RESTORE) delivered
    const st = jail.stat('pts/0', B);
    expect(st.uid).toBe(B.uid);
    expect(st.mode & 0o7777).toBe(0o620);
    await expect(jail.open('pts/0', 'r+', A)).rejects.toMatchObject({ code: 'ENOENT' });
    await b.master.close();
  });

  test("state saved by an older version for pts/0 (owner A) is dropped with a reported reason, not restored to B's pts/0", async () => {
    await kernel.events.close();
    fs.writeFileSync(file, JSON.stringify({ format: STATE_FORMAT, version: 1, mounts: { jail: { 'pts/0': { uid: A.uid, gid: 5, mode: 0o666 } } } }));
    kernel = persistingKernel();
    await driver.detach();
    driver = new PtyDriver(kernel);
    driver.attach();
    jail = kernel.mount({ name: 'jail', ruleset: 'devfsrules_jail', jail: true });

    const b = await session(B);
    await kernel.events.flush();
    const st = jail.stat(b.pts, B);
    expect([st.uid, st.mode & 0o7777]).toEqual([B.uid, 0o620]);
    expect(errors).toEqual([expect.objectContaining({ code: 'EPERM', message: expect.stringMatching(/saved state for mount 'jail' dropped: 'pts\/0' is made per open or for a credential/) })]);
    expect(saved().jail?.['pts/0']).toBeUndefined();   // dropped from the file too
    await b.master.close();
  });
});

describe('what is restored, and to what', () => {
  let host: Mount;
  beforeEach(() => {
    kernel = persistingKernel();
    host = kernel.mount({ name: 'host' });
  });
  afterEach(() => kernel.events.close());

  test('a persistent device (no cred, no cloner, not auto-owned) gets its attributes back: same driver and unit', async () => {
    const sw = { d_name: 'uart' };
    let dev: Cdev = kernel.make_dev(sw, 3, 0, 0, 0o600, 'cuau3');
    host.chmod('cuau3', 0o660);
    host.chown('cuau3', 0, 20);
    await kernel.events.flush();
    expect(saved().host?.cuau3).toEqual({ uid: 0, gid: 20, mode: 0o660, driver: 'uart', unit: 3 });
    await kernel.destroy_dev(dev);
    dev = kernel.make_dev(sw, 3, 0, 0, 0o600, 'cuau3');
    await kernel.events.flush();
    expect(host.stat('cuau3')).toMatchObject({ uid: 0, gid: 20 });
    expect(host.stat('cuau3').mode & 0o7777).toBe(0o660);
    expect(errors).toEqual([]);
    await kernel.destroy_dev(dev);
  });

  test('another driver (or unit) under the same name does not get them: dropped with the reason', async () => {
    const dev = kernel.make_dev({ d_name: 'uart' }, 3, 0, 0, 0o600, 'cuau3');
    host.chmod('cuau3', 0o666);
    await kernel.events.flush();
    await kernel.destroy_dev(dev);
    const other = kernel.make_dev({ d_name: 'usbserial' }, 0, 0, 0, 0o600, 'cuau3');
    await kernel.events.flush();
    expect(host.stat('cuau3').mode & 0o7777).toBe(0o600);
    expect(errors).toEqual([expect.objectContaining({ code: 'EPERM', message: expect.stringContaining("saved for driver 'uart' unit 3, but 'cuau3' is now driver 'usbserial' unit 0") })]);
    expect(saved().host?.cuau3).toBeUndefined();
    await kernel.destroy_dev(other);
  });

  test('a device made by a clone handler (echoN) or in d_open, or auto-owned, is never saved', async () => {
    const made: Cdev[] = [];
    kernel.onClone((name, cred) => {
      const m = /^echo(\d+)$/.exec(name);
      if (!m) return undefined;
      const d = kernel.make_dev({ d_name: 'echo' }, Number(m[1]), cred.uid, 0, 0o600, name);
      made.push(d);
      return d;
    }, { prefix: 'echo' });
    const cloner = kernel.make_dev({
      d_name: 'tapish',
      d_open: () => { made.push(kernel.make_dev({ d_name: 'tapish' }, 9, 0, 0, 0o600, 'tap9')); },
    }, 0, 0, 0, 0o666, 'tapish');
    const auto = kernel.make_dev({ d_name: 'ttyauto', d_flags: D_AUTOOWN }, 0, 0, 5, 0o620, 'ttyA0');
    expect(host.stat('echo4', A).uid).toBe(A.uid);     // cloned on lookup, for A
    host.chmod('echo4', 0o666, A);
    await (await host.open('tapish', 'r')).close();   // d_open makes tap9
    host.chmod('tap9', 0o666);
    host.chmod('ttyA0', 0o666);
    await kernel.events.flush();
    expect(made.map((d) => [d.si_name, d.persistent])).toEqual([['echo4', false], ['tap9', false]]);
    expect([auto.persistent, cloner.persistent]).toEqual([false, true]);
    expect(saved()).toEqual({});
    for (const d of [...made, auto, cloner]) await kernel.destroy_dev(d);
  });
});
