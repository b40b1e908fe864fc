/**
 * Action rules against a small recording host. The host records what PERMISSIONS, SYMLINK,
 * RESTORE and MODLOAD ask of the kernel side; wiring it to real mounts is the kernel's part.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DevAttrs, EventActionHost, Events } from '../src/events';

class RecordingHost implements EventActionHost {
  calls: string[] = [];
  loaded = new Set<string>();
  failLoad = new Set<string>();
  setAttrs(mount: string | undefined, name: string, a: DevAttrs): void {
    this.calls.push(`setAttrs ${mount ?? '-'} ${name} ${a.uid}.${a.gid} ${a.mode?.toString(8)}`);
  }
  symlink(mount: string | undefined, target: string, linkname: string): void {
    this.calls.push(`symlink ${mount ?? '-'} ${linkname} -> ${target}`);
  }
  async modload(pkg: string): Promise<void> {
    this.calls.push(`modload ${pkg}`);
    await new Promise((r) => setTimeout(r, 10)); // deliberate: a module load takes time (actions must wait for it)
    if (this.failLoad.has(pkg)) throw new Error(`cannot find module '${pkg}'`);
    this.loaded.add(pkg);
  }
  mountPath(mount?: string): string {
    return mount ? `/jails/${mount}/dev` : '/dev';
  }
}

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'devfs-events-config-'));
  fs.writeFileSync(path.join(tmp, 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nuucp:x:10:14::/:/bin/false\n');
  fs.writeFileSync(path.join(tmp, 'group'), 'wheel:x:0:\ntty:x:5:\ndialer:x:68:uucp\n');
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function setup() {
  const host = new RecordingHost();
  const errors: Array<{ message: string; code?: string; rule?: string; source: string }> = [];
  const events = new Events({
    host,
    passwdFile: path.join(tmp, 'passwd'),
    groupFile: path.join(tmp, 'group'),
    onError: (err, ctx) => errors.push({ message: err.message, code: (err as { code?: string }).code, rule: ctx.rule, source: ctx.source }),
  });
  return { host, events, errors };
}

describe('action rules', () => {
  test('PERMISSIONS resolves names through the passwd/group files and calls the host per matching event', async () => {
    const { host, events } = setup();
    events.loadConfig([
      '# serial lines belong to the dialer group',
      'REGISTER   ^cua[0-9]+$   PERMISSIONS uucp.dialer 0660',
      'REGISTER|CREATE  ^tty    PERMISSIONS 0:tty 620   # numeric uid, ":" separator',
    ].join('\n'), 'perm.conf');
    events.emit({ type: 'REGISTER', name: 'cua0' });
    events.emit({ type: 'REGISTER', name: 'cua0x' });         // regex anchored by its own ^ $
    events.emit({ type: 'UNREGISTER', name: 'cua0' });        // wrong event
    events.emit({ type: 'CREATE', name: 'ttyv1', mount: 'j1' });
    await events.flush();
    expect(host.calls).toEqual([
      'setAttrs - cua0 10.68 660',
      'setAttrs j1 ttyv1 0.5 620',
    ]);
  });

  test('regex is searched in the name like devfsd; groups feed \\1.. in SYMLINK', async () => {
    const { host, events } = setup();
    events.loadConfig([
      'REGISTER  ^pts/([0-9]+)$   SYMLINK  $devname  ttyp\\1',
      'REGISTER  md([0-9]+)p([0-9]+)   SYMLINK  ../$devname  compat/dsk\\1s\\2',
    ].join('\n'), 'links.conf');
    events.emit({ type: 'REGISTER', name: 'pts/7' });
    events.emit({ type: 'REGISTER', name: 'disk/md3p2' });
    await events.flush();
    expect(host.calls).toEqual([
      'symlink - ttyp7 -> pts/7',
      'symlink - compat/dsk3s2 -> ../disk/md3p2',
    ]);
  });

  test('every matching rule runs in file order until IGNORE', async () => {
    const { host, events } = setup();
    events.loadConfig([
      'REGISTER  .*        SYMLINK a first-$devname',
      'REGISTER  ^pt[sy]   IGNORE',
      'REGISTER  .*        SYMLINK b second-$devname',
      'CHANGE    .*        SYMLINK c change-$devname',
    ].join('\n'), 'ignore.conf');
    events.emit({ type: 'REGISTER', name: 'ptyp0' });
    events.emit({ type: 'REGISTER', name: 'null' });
    events.emit({ type: 'CHANGE', name: 'ptyp0', mount: 'm' });
    await events.flush();
    expect(host.calls).toEqual([
      'symlink - first-ptyp0 -> a',
      'symlink - first-null -> a',
      'symlink - second-null -> b',
      'symlink m change-ptyp0 -> c',
    ]);
  });

  test('a failing host call is reported with its rule and the following rules still run', async () => {
    const { host, events, errors } = setup();
    host.symlink = () => { throw Object.assign(new Error('exists'), { code: 'EEXIST' }); };
    events.loadConfig('REGISTER .* SYMLINK x y\nREGISTER .* PERMISSIONS root.wheel 600\n', 'fail.conf');
    events.emit({ type: 'REGISTER', name: 'zero' });
    await events.flush();
    expect(errors).toEqual([expect.objectContaining({ code: 'EEXIST', rule: 'fail.conf:1', source: 'SYMLINK' })]);
    expect(host.calls).toEqual(['setAttrs - zero 0.0 600']);
  });

  test('events a host call emits (e.g. CHANGE from PERMISSIONS) run COPY but no other action: no loops', async () => {
    const { host, events } = setup();
    const state = path.join(tmp, 'loop-state.json');
    host.setAttrs = (mount, name, a) => {
      host.calls.push(`setAttrs ${name}`);
      events.emit({ type: 'CHANGE', name, mount, ...a });      // what the kernel does on chmod
    };
    events.loadConfig(`REGISTER|CHANGE .* PERMISSIONS root.tty 0620\nCHANGE .* COPY ${state}\n`, 'loop.conf');
    const seen: string[] = [];
    events.on((e) => { seen.push(`${e.type} ${e.name}`); });
    events.emit({ type: 'REGISTER', name: 'ttyv0' });
    await events.flush();
    expect(host.calls).toEqual(['setAttrs ttyv0']);
    expect(seen).toEqual(['REGISTER ttyv0', 'CHANGE ttyv0']);
    expect(JSON.parse(fs.readFileSync(state, 'utf8')).mounts['']).toEqual({ ttyv0: { uid: 0, gid: 5, mode: 0o620 } });
  });

  test('MODLOAD on a delivered LOOKUP asks the host once per package, with substitutions', async () => {
    const { host, events, errors } = setup();
    host.failLoad.add('@devfs/drivers-nope');
    events.loadConfig([
      'LOOKUP ^tap[0-9]*$  MODLOAD @devfs/drivers-tap',
      'LOOKUP ^(nope)$     MODLOAD @devfs/drivers-\\1',
    ].join('\n'), 'mod.conf');
    events.emit({ type: 'LOOKUP', name: 'tap0' });
    events.emit({ type: 'LOOKUP', name: 'tap1' });   // same package while the first load runs: merged
    events.emit({ type: 'LOOKUP', name: 'nope' });
    await events.flush();
    expect(host.calls).toEqual(['modload @devfs/drivers-tap', 'modload @devfs/drivers-nope']);
    expect(errors).toEqual([expect.objectContaining({ source: 'MODLOAD', rule: 'mod.conf:2' })]);
    expect(errors[0].message).toContain("cannot find module '@devfs/drivers-nope'");
  });

  test('autoload runs MODLOAD now for the open path, emits LOOKUP, and respects IGNORE', async () => {
    const { host, events } = setup();
    events.loadConfig([
      'LOOKUP ^md9$   IGNORE',
      'LOOKUP ^md     MODLOAD @devfs/drivers-disk',
    ].join('\n'), 'auto.conf');
    const seen: string[] = [];
    events.on((e) => { seen.push(`${e.type} ${e.name} ${e.mount}`); });
    await expect(events.autoload('md0', 'jail')).resolves.toBe(true);
    expect(host.loaded.has('@devfs/drivers-disk')).toBe(true);
    await expect(events.autoload('md9')).resolves.toBe(false);
    await expect(events.autoload('ttyv0')).resolves.toBe(false);
    await events.flush();
    expect(seen).toEqual(['LOOKUP md0 jail', 'LOOKUP md9 undefined', 'LOOKUP ttyv0 undefined']);
    expect(host.calls).toEqual(['modload @devfs/drivers-disk']);    // the delivered LOOKUP did not load again
  });

  test('autoload for a LOOKUP already queued (the mount\'s miss) emits nothing more and loads once', async () => {
    const { host, events } = setup();
    events.loadConfig('LOOKUP ^md MODLOAD @devfs/drivers-disk\n', 'auto.conf');
    const seen: string[] = [];
    events.on((e) => { seen.push(`${e.type} ${e.name} ${e.mount}`); });
    const seq = events.emit({ type: 'LOOKUP', name: 'md3', mount: 'jail' });
    expect(seq).toBeGreaterThan(0);
    await expect(events.autoload('md3', undefined, seq)).resolves.toBe(true);
    await events.flush();
    expect(seen).toEqual(['LOOKUP md3 jail']);
    expect(host.calls).toEqual(['modload @devfs/drivers-disk']); // not again when that LOOKUP was delivered
    await expect(events.autoload('md4', undefined, seq)).resolves.toBe(true); // delivered already: no new event
    await events.flush();
    expect(seen).toEqual(['LOOKUP md3 jail']);
  });

  test('actions without a host are reported as ENOSYS, not thrown', async () => {
    const errors: string[] = [];
    const events = new Events({ onError: (e) => errors.push((e as { code?: string }).code ?? '') });
    events.loadConfig('REGISTER .* SYMLINK a b\nLOOKUP .* MODLOAD x\n');
    events.emit({ type: 'REGISTER', name: 'a' });
    await expect(events.autoload('q')).resolves.toBe(false);
    await events.flush();
    expect(errors).toEqual(['ENOSYS', 'ENOSYS']);
  });
});

describe('config parse errors name source:line:column and the token, and change nothing', () => {
  const cases: Array<[string, string]> = [
    ['REGISTR .* IGNORE', "bad.conf:2:1: unknown event type 'REGISTR'"],
    ['REGISTER|OPN .* IGNORE', "bad.conf:2:10: unknown event type 'OPN'"],
    ['REGISTER', "bad.conf:2:9: missing regex after event 'REGISTER'"],
    ['REGISTER .*', "bad.conf:2:12: missing action after regex '.*'"],
    ['REGISTER  a(b  IGNORE', "bad.conf:2:11: bad regex"],
    ['REGISTER .* CHMOD 600', "bad.conf:2:13: unknown action 'CHMOD'"],
    ['REGISTER .* IGNORE now', "bad.conf:2:20: unexpected argument to IGNORE 'now'"],
    ['REGISTER .* PERMISSIONS root.wheel', "bad.conf:2:13: needs 2 argument(s) 'PERMISSIONS'"],
    ['REGISTER .* PERMISSIONS nobody_here.wheel 600', "bad.conf:2:25: unknown user 'nobody_here'"],
    ['REGISTER .* PERMISSIONS root.staff 600', "bad.conf:2:30: unknown group 'staff'"],
    ['REGISTER .* PERMISSIONS root 600', "bad.conf:2:25: expected user.group 'root'"],
    ['REGISTER .* PERMISSIONS root.wheel 0698', "bad.conf:2:36: expected an octal mode up to 07777 '0698'"],
    ['REGISTER ^pts/([0-9]+)$ SYMLINK pts/\\2 x', "bad.conf:2:33: \\2 refers to a group the regex does not have (it has 1) 'pts/\\2'"],
    ["REGISTER .* EXECUTE /bin/echo 'open", "bad.conf:2:31: unterminated quote ''open'"],
    ['REGISTER .* MODLOAD pkg', "bad.conf:2:1: MODLOAD applies to LOOKUP only, not REGISTER 'REGISTER'"],
    ['REGISTER .* COPY /tmp/x.json', "bad.conf:2:1: COPY applies to CHANGE only, not REGISTER 'REGISTER'"],
    ['CHANGE .* RESTORE /tmp/x.json', "bad.conf:2:1: RESTORE applies to REGISTER only, not CHANGE 'CHANGE'"],
  ];
  test.each(cases)('%s', (line, message) => {
    const { events } = setup();
    events.loadConfig('REGISTER .* IGNORE', 'good.conf');
    let thrown: { code?: string; message: string } | undefined;
    try {
      events.loadConfig(`# a comment\n${line}\nREGISTER .* IGNORE\n`, 'bad.conf');
    } catch (e) {
      thrown = e as { code?: string; message: string };
    }
    expect(thrown).toMatchObject({ code: 'EINVAL' });
    expect(thrown?.message).toContain(message);
    expect(events.ruleCount).toBe(1);
  });

  test('a COPY file in a missing directory fails the whole load with ENOENT and the line', () => {
    const { events } = setup();
    expect(() => events.loadConfig(`CHANGE .* SYMLINK a b\nCHANGE .* COPY ${tmp}/no/such/dir/state.json\n`, 's.conf'))
      .toThrow(expect.objectContaining({ code: 'ENOENT', message: expect.stringContaining('s.conf:2') }));
    expect(events.ruleCount).toBe(0);
  });

  test('a state file that is not ours is EINVAL', () => {
    const { events } = setup();
    const bad = path.join(tmp, 'garbage.json');
    fs.writeFileSync(bad, '{"half":');
    expect(() => events.loadConfig(`REGISTER .* RESTORE ${bad}`, 'r.conf'))
      .toThrow(expect.objectContaining({ code: 'EINVAL', message: expect.stringContaining('not JSON') }));
  });
});

describe('the README worked example', () => {
  test('its devfsd.conf loads and behaves as the README says', async () => {
    const readme = fs.readFileSync(path.resolve(__dirname, '..', 'README.md'), 'utf8');
    const conf = /`\/etc\/devfs\/devfsd\.conf`:\n\n```\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(conf).toBeDefined();
    const host = new RecordingHost();
    fs.writeFileSync(path.join(tmp, 'group2'), 'wheel:x:0:\ndialout:x:20:\n');
    const events = new Events({ host, passwdFile: path.join(tmp, 'passwd'), groupFile: path.join(tmp, 'group2') });
    events.loadConfig((conf as string).split('/var/lib/devfs').join(tmp), 'devfsd.conf');
    events.emit({ type: 'REGISTER', name: 'cuau0' });
    events.emit({ type: 'REGISTER', name: 'ptyp0' });
    events.emit({ type: 'CHANGE', name: 'cuau0', mount: 'jail1', uid: 0, gid: 20, mode: 0o666 });
    await events.flush();
    await expect(events.autoload('tap3')).resolves.toBe(true);
    expect(host.calls).toEqual(['setAttrs - cuau0 0.20 660', 'symlink - ttyS0 -> cuau0', 'modload @devfs/drivers-tap']);
    expect(JSON.parse(fs.readFileSync(path.join(tmp, 'perms.json'), 'utf8')).mounts)
      .toEqual({ jail1: { cuau0: { uid: 0, gid: 20, mode: 0o666 } } });
  });
});
