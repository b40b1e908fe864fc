import * as fs from 'fs';
import { describeHost, needFile, needRoot, needTool } from '../../../test-support/host';
import { cli, netnsDaemonForSuite, tapsIn } from './helpers';

describeHost('devfs tap create/destroy through the daemon (daemon inside its own netns)', [needRoot, needFile('/dev/net/tun'), needTool('ip')], () => {
  const suite = netnsDaemonForSuite('cli');
  const { ns } = suite;
  const sock = () => suite.sock();

  test('create makes a real interface and its node; destroy removes both; shutdown removes what the daemon made', async () => {
    const c = await cli(sock(), ['tap', 'create']);
    expect(c).toMatchObject({ code: 0 });
    const name = c.stdout.trim();
    expect(name).toMatch(/^tap\d+$/);
    expect(tapsIn(ns)).toContain(name);
    expect((await cli(sock(), ['ls'])).stdout.split('\n')).toContain(name);

    const again = await cli(sock(), ['tap', 'create', name]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^devfs: EEXIST: /);

    expect(await cli(sock(), ['tap', 'destroy', name])).toMatchObject({ code: 0 });
    expect(tapsIn(ns)).not.toContain(name);
    expect((await cli(sock(), ['ls'])).stdout.split('\n')).not.toContain(name);
    const missing = await cli(sock(), ['tap', 'destroy', name]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^devfs: (ENXIO|ENOENT): /);

    const kept = (await cli(sock(), ['tap', 'create', 'tap7'])).stdout.trim();
    expect(kept).toBe('tap7');
    expect(tapsIn(ns)).toContain('tap7');
    expect(await suite.stop()).toBe(0);
    expect(tapsIn(ns)).toEqual([]);
    expect(fs.existsSync(sock())).toBe(false);
  }, 30000);
});
