/**
 * Use after close (issue 14): once the tap driver detached, or the host interface was deleted
 * outside, every handle on it — a clone, a create()d tapN, an adopted foreign tapN — fails with
 * ENXIO/EBADF and never touches its old /dev/net/tun fd number, which the host hands to the next
 * file opened; reads and polls blocked on it wake with that error. Runs in a network namespace the
 * test creates and removes.
 */
import * as fs from 'fs';
import { createKernel, DevFile, FIONREAD, Mount, POLLERR, POLLIN, POLLNVAL } from '@devfs/core';
import { native } from '@devfs/native';
import { TapDriver, TAPGIFNAME } from '../src';
import { describeHost, needFile, needRoot, needTool } from '../../../test-support/host';
import { victimsOn } from '../../../test-support/fd-reuse';
import { enterTestNetns, TestNetns } from '../../../native/test/tap-netns';

/** Deliberate: a window in which a blocked call must NOT settle. */
const tick = (ms = 30) => new Promise((r) => setTimeout(r, ms));

/** Numbers of this process's fds open on /dev/net/tun. */
function tunFds(): number[] {
  const out: number[] = [];
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      if (fs.readlinkSync(`/proc/self/fd/${fd}`) === '/dev/net/tun') out.push(Number(fd));
    } catch { /* closed meanwhile */ }
  }
  return out;
}

/** A call left running: whether it settled yet, and its value or error once it has. */
interface Pending { done: boolean; settled: Promise<{ value?: number; code?: string }> }

function pending(p: Promise<number>): Pending {
  const r: Pending = { done: false, settled: Promise.resolve({}) };
  r.settled = p.then((value) => ({ value }), (err: { code?: string }) => ({ code: err.code }));
  void r.settled.then(() => { r.done = true; });
  return r;
}

/** A blocked read and a blocked poll on each handle; checks they are really waiting. */
async function blockOn(handles: DevFile[]): Promise<{ reads: Pending[]; polls: Pending[] }> {
  const reads = handles.map((h) => pending(h.read(Buffer.alloc(2048))));
  const polls = handles.map((h) => pending(h.poll(POLLIN)));
  await tick();
  expect([...reads, ...polls].map((p) => p.done)).toEqual([...reads, ...polls].map(() => false));
  return { reads, polls };
}

/** The woken calls: reads failed with ENXIO/EBADF, polls report POLLERR or POLLNVAL. */
async function expectWoken(w: { reads: Pending[]; polls: Pending[] }): Promise<void> {
  for (const r of w.reads) expect(['ENXIO', 'EBADF']).toContain((await r.settled).code);
  for (const p of w.polls) expect((await p.settled).value! & (POLLERR | POLLNVAL)).not.toBe(0);
}

/** Every call on a stale handle fails with ENXIO/EBADF while files hold its old fd numbers. */
async function expectStale(handles: DevFile[], numbers: number[]): Promise<void> {
  const victims = victimsOn(numbers, 'tap-revoke');
  try {
    const frame = Buffer.alloc(60, 0xee);
    for (const h of handles) {
      await expect(h.write(frame)).rejects.toMatchObject({ code: expect.stringMatching(/^(ENXIO|EBADF)$/) });
      await expect(h.read(Buffer.alloc(2048))).rejects.toMatchObject({ code: expect.stringMatching(/^(ENXIO|EBADF)$/) });
      await expect(h.ioctl(FIONREAD)).rejects.toMatchObject({ code: expect.stringMatching(/^(ENXIO|EBADF)$/) });
      expect((await h.poll(POLLIN)) & (POLLERR | POLLNVAL)).not.toBe(0);
    }
    for (const h of handles) await h.close();
    victims.check(); // reads each file once: content and offset unchanged
  } finally {
    victims.remove();
  }
}

describeHost('tap handles after detach or host deletion', [needRoot, needFile('/dev/net/tun'), needTool('ip')], () => {
  let ns: TestNetns;
  let drv: TapDriver;
  let m: Mount;

  beforeAll(() => {
    ns = enterTestNetns();
    // no IPv6 router solicitations: an up interface stays silent, so reads really block
    ns.run('sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1');
  });
  afterAll(() => ns?.leave());
  beforeEach(() => {
    drv = new TapDriver(createKernel({ memDevices: false }));
    drv.attach();
    m = drv.kernel.mount();
  });
  afterEach(() => drv.detach());

  /** `ip tuntap add dev tap9` (a foreign tap) and waits until the driver adopted it. */
  async function adoptTap9(): Promise<void> {
    ns.run('ip', 'tuntap', 'add', 'dev', 'tap9', 'mode', 'tap');
    const deadline = Date.now() + 2000;
    while (!m.readdir('').some((d) => d.name === 'tap9')) {
      if (Date.now() > deadline) throw new Error('tap9 was not adopted');
      await tick(10);
    }
  }

  /** Opens `path` and brings its interface up (a read on a down interface is EHOSTDOWN at once). */
  async function openUp(path: string): Promise<DevFile> {
    const f = await m.open(path, 'r+');
    native.ifSetUp((await f.ioctl(TAPGIFNAME)) as string, true);
    return f;
  }

  test('detach: clone, created and adopted handles wake (ENXIO, POLLERR) and never reach the fds that reuse their numbers', async () => {
    const before = tunFds();
    await adoptTap9();
    const created = await drv.create();
    const handles = [await openUp('tap'), await openUp(created), await openUp('tap9')];
    const numbers = tunFds().filter((fd) => !before.includes(fd));
    expect(numbers).toHaveLength(3);
    const blocked = await blockOn(handles);

    await drv.detach();
    await expectWoken(blocked);
    expect(tunFds()).toEqual(before);
    await expectStale(handles, numbers);
    ns.run('ip', 'link', 'del', 'tap9'); // foreign: detach leaves it to its owner
  });

  test('ip link del under open clone, created and adopted handles: they wake and stay off the reused fd numbers', async () => {
    const before = tunFds();
    await adoptTap9();
    const created = await drv.create();
    const handles = [await openUp('tap'), await openUp(created), await openUp('tap9')];
    const names = await Promise.all(handles.map(async (h) => (await h.ioctl(TAPGIFNAME)) as string));
    const numbers = tunFds().filter((fd) => !before.includes(fd));
    expect(numbers).toHaveLength(3);
    const blocked = await blockOn(handles);

    for (const name of names) ns.run('ip', 'link', 'del', name);
    await expectWoken(blocked);
    const deadline = Date.now() + 2000;
    while (drv.list().some((n) => names.includes(n)) || tunFds().length > before.length) {
      if (Date.now() > deadline) throw new Error(`still held: ${drv.list().join(' ')} fds ${tunFds().join(' ')}`);
      await tick(10);
    }
    await expectStale(handles, numbers);
  });
});
