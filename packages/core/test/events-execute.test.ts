/** EXECUTE runs real programs: no shell between us and them, a time limit, failures reported. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describeHost, needFile, needTool } from '../../../test-support/host';
import { until } from '../../../test-support/wait';
import { EventActionHost, Events } from '../src/events';

type Reported = { code?: string; message: string; rule?: string; pid?: number };

const host: EventActionHost = {
  setAttrs: () => undefined,
  symlink: () => undefined,
  modload: async () => undefined,
  mountPath: (mount) => (mount ? `/jails/${mount}/dev` : '/dev'),
};

let dir: string;
beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devfs-exec-')); });
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function setup(opts: { execTimeoutMs?: number; execConcurrency?: number } = {}) {
  const errors: Reported[] = [];
  const events = new Events({
    host, ...opts,
    onError: (err, ctx) => errors.push({ code: (err as { code?: string }).code, message: err.message, rule: ctx.rule, pid: ctx.pid }),
  });
  return { events, errors };
}

function deadNotOurs(pid: number): boolean {
  if (!fs.existsSync(`/proc/${pid}`)) return true;
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return /^State:\s+Z/m.test(status) && !new RegExp(`^PPid:\\s+${process.pid}$`, 'm').test(status);
}

function gone(pid: number): boolean {
  // A zombie still has a /proc entry (state Z); a reaped process has none.
  return !fs.existsSync(`/proc/${pid}`);
}

describeHost('EXECUTE', [needTool('touch'), needFile('/bin/sh'), needTool('sleep')], () => {
  test('a real binary gets the substituted arguments ($devname, \\1, $mode)', async () => {
    const { events, errors } = setup();
    events.loadConfig(`REGISTER ^pts/([0-9]+)$ EXECUTE touch ${dir}/tty\\1-$mode-$uid`, 'touch.conf');
    events.emit({ type: 'REGISTER', name: 'pts/4', uid: 1001, mode: 0o620 });
    events.emit({ type: 'REGISTER', name: 'ptmx' });
    await events.flush();
    expect(errors).toEqual([]);
    expect(fs.readdirSync(dir)).toEqual(['tty4-620-1001']);
  });

  test('every variable is substituted and arguments reach the program verbatim, without a shell', async () => {
    const { events, errors } = setup();
    const out = path.join(dir, 'argv');
    // /bin/sh is the program under test here: it writes the arguments it received, one per line.
    events.loadConfig(
      `CHANGE ^([a-z]+)([0-9]+)$ EXECUTE /bin/sh -c 'printf "%s\\n" "$@" > ${out}' sh $devname $devpath $mntpt $uid $gid $mode \\1 \\2 \\0 $mount $event "two words" '$HOME;rm -rf x' $$devname`,
      'argv.conf');
    events.emit({ type: 'CHANGE', name: 'ttyv12', mount: 'j1', uid: 7, gid: 5, mode: 0o600 });
    await events.flush();
    expect(errors).toEqual([]);
    expect(fs.readFileSync(out, 'utf8').split('\n').slice(0, -1)).toEqual([
      'ttyv12', '/jails/j1/dev/ttyv12', '/jails/j1/dev', '7', '5', '600', 'ttyv', '12', 'ttyv12', 'j1', 'CHANGE',
      'two words', '$HOME;rm -rf x', '$devname',
    ]);
  });

  test('a non-zero exit is reported with its status and stderr, and never thrown', async () => {
    const { events, errors } = setup();
    events.loadConfig(`OPEN .* EXECUTE /bin/sh -c 'echo "no medium in $0" >&2; exit 3' $devname`, 'fail.conf');
    expect(events.emit({ type: 'OPEN', name: 'cd0' })).toBe(1);
    await events.flush();
    expect(errors).toEqual([expect.objectContaining({ code: 'EIO', rule: 'fail.conf:1' })]);
    expect(errors[0].message).toContain('exited with status 3: no medium in cd0');
    expect(gone(errors[0].pid as number)).toBe(true);
  });

  test('a missing program is ENOENT; a program killed by a signal says which', async () => {
    const { events, errors } = setup();
    events.loadConfig([
      `CLOSE .* EXECUTE ${dir}/no-such-program $devname`,
      `CLOSE .* EXECUTE /bin/sh -c 'kill -TERM $$$$'`,
    ].join('\n'), 'more.conf');
    events.emit({ type: 'CLOSE', name: 'null' });
    await events.flush();
    const byRule = Object.fromEntries(errors.map((e) => [e.rule, e]));
    expect(byRule['more.conf:1']).toMatchObject({ code: 'ENOENT' });
    expect(byRule['more.conf:2']).toMatchObject({ code: 'EIO', message: expect.stringContaining('killed by SIGTERM') });
  });

  test('a program over its time limit is killed with its process group, reported as ETIMEDOUT, and reaped', async () => {
    const { events, errors } = setup({ execTimeoutMs: 300 });
    const pidFile = path.join(dir, 'bg.pid');
    events.loadConfig(`NOTIFY .* EXECUTE /bin/sh -c 'sleep 30 & echo $$! > ${pidFile}; wait'`, 'slow.conf');
    const seen: number[] = [];
    events.on((e) => { seen.push(e.seq); });
    events.emit({ type: 'NOTIFY', name: 'tap0', data: { link: 'down' } });
    events.emit({ type: 'NOTIFY', name: 'tap0', data: { link: 'up' } });
    // Delivery does not wait for the programs.
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual([1, 2]);
    await events.flush();
    expect(errors.map((e) => e.code)).toEqual(['ETIMEDOUT', 'ETIMEDOUT']);
    expect(errors[0].message).toContain('killed after 300 ms');
    for (const e of errors) expect(gone(e.pid as number)).toBe(true);
    const bg = Number(fs.readFileSync(pidFile, 'utf8'));
    // The background child of the group was killed too. Orphaned by sh, it belongs to init,
    // which reaps it in its own time: dead (a zombie not ours, or gone) is what we can require.
    const dead = () => { try { return deadNotOurs(bg); } catch { return true; /* reaped between the two reads */ } };
    await expect(until(dead, `the background child ${bg} to die`)).resolves.toBeUndefined();
  });

  test('programs beyond the concurrency limit wait their turn, in order', async () => {
    const { events, errors } = setup({ execConcurrency: 1 });
    const log = path.join(dir, 'log');
    events.loadConfig(`REGISTER .* EXECUTE /bin/sh -c 'echo start $0 >> ${log}; sleep 0.05; echo end $0 >> ${log}' $devname`, 'c.conf');
    for (const n of ['a', 'b', 'c']) events.emit({ type: 'REGISTER', name: n });
    await events.flush();
    expect(errors).toEqual([]);
    expect(fs.readFileSync(log, 'utf8').trim().split('\n')).toEqual(
      ['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });
});
