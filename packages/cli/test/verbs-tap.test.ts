/**
 * Issue 19, tap as ip tuntap: `tap create --user --group --mtu --up`, `tap list` (MAC, MTU, state,
 * owner, kind, netns; uid 65534 only what its mount shows), a frame streamed from stdin, and a
 * short frame explained. Daemon inside a test-owned network namespace.
 */
import { execFileSync } from 'child_process';
import { describeHost, needFile, needRoot, needTool } from '../../../test-support/host';
import { cli, NOBODY, netnsDaemonForSuite } from './helpers';
import { cliIn } from './verbs-helpers';

interface IpLink { ifname: string; address: string; mtu: number; flags: string[]; stats64?: { rx: { packets: number } }; linkinfo?: { info_data?: { user?: number | string; group?: number | string; pi?: boolean } } }

describeHost('tap create options and tap list (daemon in its own netns)', [needRoot, needFile('/dev/net/tun'), needTool('ip')], () => {
  const suite = netnsDaemonForSuite('verbs');
  const { ns } = suite;
  const link = (name: string): IpLink => (JSON.parse(execFileSync('ip', ['netns', 'exec', ns, 'ip', '-d', '-s', '-j', 'link', 'show', 'dev', name], { encoding: 'utf8' })) as IpLink[])[0];

  test('create --user --group --mtu --up sets TUNSETOWNER/TUNSETGROUP, the MTU and IFF_UP; list shows what ip shows', async () => {
    const r = await cli(suite.sock(), ['tap', 'create', 'tap3', '--user', 'nobody', '--group', '65534', '--up']);
    expect(r).toMatchObject({ code: 0, stdout: 'tap3\n' });
    const l = link('tap3');
    expect(l.flags).toContain('UP');
    expect(String(l.linkinfo?.info_data?.user)).toMatch(/^(65534|nobody)$/);
    expect(String(l.linkinfo?.info_data?.group)).toMatch(/^(65534|nogroup)$/);
    expect((await cli(suite.sock(), ['tap', 'create', 'tap4', '--mtu', '9000'])).code).toBe(0);
    expect(link('tap4').mtu).toBe(9000);
    const badMtu = await cli(suite.sock(), ['tap', 'create', 'tap5', '--mtu', '20']);
    expect(badMtu.stderr).toMatch(/^devfs: EINVAL: 'mtu' must be an integer in 68\.\.65535/);
    expect((await cli(suite.sock(), ['--json', 'tap', 'list'])).stdout).not.toMatch(/tap5/); // refused before anything was made
    execFileSync('ip', ['netns', 'exec', ns, 'ip', 'tuntap', 'add', 'dev', 'tap9', 'mode', 'tap']); // made outside: adopted
    let list: Array<Record<string, unknown>> = [];
    const end = Date.now() + 5000;
    while (!list.some((t) => t.name === 'tap9') && Date.now() < end) {
      list = JSON.parse((await cli(suite.sock(), ['--json', 'tap', 'list'])).stdout) as Array<Record<string, unknown>>;
    }
    expect(list.map((t) => t.name)).toEqual(['tap3', 'tap4', 'tap9']);
    expect(list[0]).toMatchObject({ name: 'tap3', mac: l.address, mtu: l.mtu, up: true, user: 65534, group: 65534, origin: 'create', persistent: true, netns: null });
    expect(list[1]).toMatchObject({ name: 'tap4', mtu: 9000, up: false, user: null, group: null, origin: 'create' });
    expect(list[2]).toMatchObject({ name: 'tap9', origin: 'foreign', persistent: true });
    const text = (await cli(suite.sock(), ['tap', 'list'])).stdout.split('\n');
    expect(text[0]).toMatch(/^NAME +MODE +MAC +MTU +STATE +USER +GROUP +KIND +NETNS$/);
    expect(text[1]).toMatch(new RegExp(`^tap3 +tap +${l.address} +${l.mtu} +up +nobody +(nogroup|65534) +persistent +-$`));
    expect((await cli(suite.sock(), ['tap', 'create', '--user', 'no-such-user-x'])).stderr).toMatch(/^devfs: EINVAL: unknown user/);
  }, 30000);

  test('--tun makes a layer-3 tunN (node tunN, mode tun in list); an IP packet from stdin goes in; tunN names need --tun', async () => {
    const r = await cli(suite.sock(), ['tap', 'create', '--tun', '--up']);
    expect(r).toMatchObject({ code: 0, stdout: 'tun0\n' });
    const l = link('tun0') as IpLink & { linkinfo?: { info_kind?: string; info_data?: { type?: string } } };
    expect(l.linkinfo?.info_data?.type).toBe('tun');
    expect((await cli(suite.sock(), ['ls'])).stdout.split('\n')).toContain('tun0');
    const list = JSON.parse((await cli(suite.sock(), ['--json', 'tap', 'list'])).stdout) as Array<Record<string, unknown>>;
    expect(list.find((t) => t.name === 'tun0')).toMatchObject({ mode: 'tun', mac: null, up: true, persistent: true });
    // a 28-byte IPv4/UDP packet with a correct header checksum
    const ip = Buffer.from('4500001c00004000401100000a0000010a000002', 'hex');
    let sum = 0;
    for (let i = 0; i < 20; i += 2) sum += ip.readUInt16BE(i);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
    ip.writeUInt16BE(~sum & 0xffff, 10);
    const packet = Buffer.concat([ip, Buffer.from('1f4007d0000800000', 'hex').subarray(0, 8)]);
    const before = link('tun0').stats64?.rx.packets ?? 0;
    expect((await cliIn(suite.sock(), ['write', 'tun0', '-'], packet)).code).toBe(0);
    expect((link('tun0').stats64?.rx.packets ?? 0) - before).toBe(1);
    expect((await cli(suite.sock(), ['tap', 'create', 'tun5'])).stderr).toMatch(/^devfs: EINVAL: name must be tapN \(tunN needs --tun\)/);
    expect((await cli(suite.sock(), ['tap', 'create', '--tun', 'tun3'])).stdout).toBe('tun3\n');
    expect((await cli(suite.sock(), ['tap', 'create'])).stdout).toBe('tap0\n'); // tun units are apart from tap units
    for (const n of ['tun0', 'tun3', 'tap0']) expect((await cli(suite.sock(), ['tap', 'destroy', n])).code).toBe(0);
  });

  test('uid 65534: tap list shows only what its mount shows (the jail: none); create is EPERM', async () => {
    const n = await cli(suite.sock(), ['--json', 'tap', 'list'], NOBODY);
    expect(n.code).toBe(0);
    expect(JSON.parse(n.stdout)).toEqual([]);
    expect((await cli(suite.sock(), ['tap', 'create', '--up'], NOBODY)).stderr).toMatch(/^devfs: EPERM: /);
  });

  test('a frame from stdin goes out as one frame; a frame shorter than 14 bytes says why', async () => {
    const before = link('tap3').stats64?.rx.packets ?? 0;
    const frame = Buffer.concat([Buffer.from('ffffffffffff02000000000108060001', 'hex'), Buffer.alloc(44)]); // broadcast ARP-typed, 60 bytes
    const w = await cliIn(suite.sock(), ['--json', 'write', 'tap3', '-'], frame);
    expect(w.code).toBe(0);
    expect(JSON.parse(w.stdout)).toEqual({ path: 'tap3', bytes: 60 });
    expect((link('tap3').stats64?.rx.packets ?? 0) - before).toBe(1);
    const short = await cliIn(suite.sock(), ['write', 'tap3', '-'], Buffer.alloc(10));
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/^devfs: EINVAL: frame of 10 bytes is shorter than 14: a frame starts with the 14-byte Ethernet header/);
  });
});
