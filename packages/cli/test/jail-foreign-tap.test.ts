/**
 * Issue 13 item 6, the first half: a tap interface that exists before the daemon starts (left by
 * a crash, or made by other software) is adopted from the driver's netlink thread — and like
 * every device it goes through the jail's ruleset: uid 65534 never sees it, in `ls` or in sysctl,
 * while root does. The daemon runs in its own network namespace; the interface is made there.
 */
import { execFileSync } from 'child_process';
import * as crypto from 'crypto';
import { describeHost, needFile, needRoot, needTool } from '../../../test-support/host';
import { cli, until } from './helpers';
import { NOBODY, rootDaemonSuite } from './jail-helpers';

/** Inside the test's own namespace, so it cannot collide with anything on the host. */
const IFNAME = 'tap3';

describeHost('a tap interface that predates the daemon stays hidden in the jail (daemon in its own netns)', [needRoot, needFile('/dev/net/tun'), needTool('ip')], () => {
  const ns = `devfs-test-jail-${crypto.randomBytes(4).toString('hex')}`;
  const { sock } = rootDaemonSuite({
    setup: () => {
      execFileSync('ip', ['netns', 'add', ns]);
      execFileSync('ip', ['netns', 'exec', ns, 'ip', 'tuntap', 'add', 'dev', IFNAME, 'mode', 'tap']);
    },
    prefix: ['ip', 'netns', 'exec', ns],
    teardown: () => {
      try { execFileSync('ip', ['netns', 'exec', ns, 'ip', 'tuntap', 'del', 'dev', IFNAME, 'mode', 'tap']); } catch { /* gone */ }
      try { execFileSync('ip', ['netns', 'del', ns]); } catch { /* already gone */ }
    },
  });

  test('root sees the adopted interface and its sysctl; uid 65534 sees neither, and cannot open it', async () => {
    const rootLs = async () => (await cli(sock(), ['ls'])).stdout.split('\n');
    let names: string[] = [];
    await until(async () => (names = await rootLs()).includes(IFNAME), `${IFNAME} adopted`, 10000, 100);
    expect(names).toContain(IFNAME);
    expect((await cli(sock(), ['sysctl', `net.link.tap.${IFNAME}`])).stdout).toMatch(new RegExp(`^net.link.tap.${IFNAME}: ([0-9a-f]{2}:){5}[0-9a-f]{2}\\n$`));

    const jail = await cli(sock(), ['ls'], NOBODY);
    expect(jail.code).toBe(0);
    expect(jail.stdout.split('\n')).toEqual(expect.arrayContaining(['null', 'zero']));
    expect(jail.stdout.split('\n')).not.toContain(IFNAME);
    expect((await cli(sock(), ['-m', 'jail', 'ls'])).stdout.split('\n')).not.toContain(IFNAME); // root looking into the jail
    const st = await cli(sock(), ['stat', IFNAME], NOBODY);
    expect(st.stderr).toMatch(/^devfs: ENOENT: /);
    const open = await cli(sock(), ['cat', IFNAME, '--bytes', '1'], NOBODY);
    expect(open.stderr).toMatch(/^devfs: ENOENT: /);
    const sys = await cli(sock(), ['--json', 'sysctl'], NOBODY);
    expect(sys.code).toBe(0);
    expect(sys.stdout).not.toContain('net.link.tap');
    const one = await cli(sock(), ['sysctl', `net.link.tap.${IFNAME}`], NOBODY);
    expect(one.stderr).toMatch(/^devfs: ENOENT: /);
    // writing answers as for a node that does not exist (not EPERM, which would confirm it)
    const write = await cli(sock(), ['sysctl', `net.link.tap.${IFNAME}=f2:0b:a4:00:00:01`], NOBODY);
    expect(write.stderr).toMatch(/^devfs: ENOENT: /);
    expect((await cli(sock(), ['sysctl', 'net.link.tap.tap99=f2:0b:a4:00:00:01'], NOBODY)).stderr).toBe(write.stderr.replace(IFNAME, 'tap99'));
  }, 40000);
});
