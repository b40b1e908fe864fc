/**
 * Isolation: a worker that exits, throws an uncaught exception, runs out of memory or spins is
 * ended; its devices are destroyed (names gone, open handles ENXIO, blocked reads woken), a
 * NOTIFY DRIVER_FAILED says why, and with restart 'always' it comes back with its devices. Another
 * isolated plugin and the daemon's own loop carry on throughout. 50 crash/restart cycles leak no
 * fd, inode or heap.
 */
import * as fs from 'fs';
import * as v8 from 'v8';
import * as vm from 'vm';
import { native } from '@devfs/native';
import { Host, Mount, DevEvent } from '../src';
import { until } from './helpers';
import { hostWith, isolated, recordEvents } from './isolate-helpers';

let host: Host;
let m: Mount;
let events: DevEvent[];
afterEach(async () => {
  await host?.close();
});

async function start(...specs: Parameters<typeof hostWith>): Promise<void> {
  host = await hostWith(...specs);
  expect(host.failures).toEqual([]);
  m = host.kernel.mount({ name: 'r' });
  events = recordEvents(host);
}

const info = (name: string) => host.drivers.find((d) => d.name === name)!.isolation!;
const failed = () => events.filter((e) => e.type === 'NOTIFY' && e.data?.event === 'DRIVER_FAILED');

/** One round trip through the `good` plugin's loopback (it must keep answering). */
async function roundTrip(): Promise<void> {
  const f = await m.open('good0', 'r+');
  await f.write(Buffer.from('ping'));
  const b = Buffer.alloc(8);
  expect(await f.read(b)).toBe(4);
  await f.close();
}

/**
 * Triggers `name`'s fault (writing "go"), with a handle blocked in read on the same device, and
 * checks what every death must do: the write fails with `writeCode` (null: an uncaught exception
 * after the write was answered), the blocked read wakes with ENXIO, the names go, NOTIFY.
 */
async function kill(name: string, writeCode: string | null): Promise<void> {
  const reader = await m.open(`${name}0`, 'r');
  const blocked = expect(reader.read(Buffer.alloc(8))).rejects.toMatchObject({ code: 'ENXIO' });
  const w = await m.open(`${name}0`, 'w');
  const n = failed().length;
  const wrote = w.write(Buffer.from('go'));
  if (writeCode) await expect(wrote).rejects.toMatchObject({ code: writeCode });
  else await wrote.catch(() => undefined); // answered, or not, before the worker goes
  await blocked;
  await until(() => host.kernel.lookupDev(`${name}0`) === undefined, `${name}0 destroyed`);
  expect(() => m.stat(`${name}-link`)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  await expect(reader.read(Buffer.alloc(1))).rejects.toMatchObject({ code: 'ENXIO' });
  await reader.close();
  await w.close();
  await host.kernel.events.flush();
  await until(() => failed().length > n, 'DRIVER_FAILED event');
}

describe('a dying worker costs only its own devices', () => {
  test('process.exit() in the worker: devices destroyed, NOTIFY, restarted with its devices', async () => {
    await start(isolated('exit'), isolated('good'));
    await kill('exit', 'ENXIO');
    const ev = failed().at(-1)!;
    expect(ev).toMatchObject({ name: 'exit', data: { code: 'EIO', restart: true } });
    expect(String(ev.data!.reason)).toMatch(/exited \(code 7\)/);
    await until(() => host.kernel.lookupDev('exit0') !== undefined, 'exit0 back after the restart');
    expect(info('exit')).toMatchObject({ restarts: 1, state: 'running', lastFailure: { code: 'EIO' } });
    await roundTrip();
    const f = await m.open('exit0', 'r+'); // the new incarnation answers
    await f.write(Buffer.from('ok'));
    expect(await f.read(Buffer.alloc(4))).toBe(2);
    await f.close();
  });

  test("an uncaught exception with restart 'never': devices gone for good, state failed", async () => {
    await start(isolated('crash', { restart: 'never' }), isolated('good'));
    await kill('crash', null);
    await until(() => info('crash').state === 'failed', 'crash failed');
    expect(info('crash').lastFailure).toMatchObject({ code: 'EIO', message: expect.stringMatching(/uncaught in the driver/) });
    await new Promise((r) => setTimeout(r, 200)); // deliberate: a window in which restart 'never' must NOT bring it back
    expect(host.kernel.lookupDev('crash0')).toBeUndefined();
    expect(info('crash').restarts).toBe(0);
    await roundTrip();
  });

  test('running out of memory ends only the worker (ENOMEM), then it restarts', async () => {
    await start(isolated('oom', { memoryMb: 32, callTimeoutMs: 10_000 }), isolated('good'));
    await kill('oom', 'ENXIO');
    expect(failed().at(-1)!.data).toMatchObject({ code: 'ENOMEM' });
    await until(() => host.kernel.lookupDev('oom0') !== undefined, 'oom0 back');
    await roundTrip();
  }, 30_000);

  test('a busy loop: the call times out (ETIMEDOUT), the silent worker is terminated and restarted, the loop never stalls', async () => {
    await start(isolated('spin', { callTimeoutMs: 500 }), isolated('good'));
    let worst = 0;
    let last = Date.now();
    const ticker = setInterval(() => {
      const now = Date.now();
      worst = Math.max(worst, now - last);
      last = now;
    }, 10);
    try {
      const spin = kill('spin', 'ETIMEDOUT');
      await new Promise((r) => setTimeout(r, 100)); // deliberate: let the spin get under way (nothing outside shows it)
      await roundTrip(); // another isolated driver answers while this one spins
      await spin;
    } finally {
      clearInterval(ticker);
    }
    expect(failed().at(-1)!.data).toMatchObject({ code: 'ETIMEDOUT' });
    expect(worst).toBeLessThan(400); // the daemon's loop was never blocked by the spinning plugin
    await until(() => host.kernel.lookupDev('spin0') !== undefined, 'spin0 back');
  });
});

describe('50 crash/restart cycles', () => {
  const gc = (() => {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as () => void;
  })();
  const fds = () => fs.readdirSync('/proc/self/fd').length;
  const heap = () => { gc(); gc(); return process.memoryUsage().heapUsed; };

  test('leak no fd, inode, handle or heap', async () => {
    await start(isolated('exit', { backoffMs: 0, maxBackoffMs: 0 }));
    // up: all three of its devices adopted (exit0 alone may be adopted while its worker, preempted, has not made the others yet)
    const up = () => ['exit0', 'exit-link', 'exit'].every((n) => host.kernel.lookupDev(n) !== undefined);
    const cycle = async () => {
      await until(up, 'exit0 up');
      const f = await m.open('exit0', 'w');
      await f.write(Buffer.from('go')).catch(() => undefined);
      await f.close();
      await until(() => host.kernel.lookupDev('exit0') === undefined, 'exit0 gone');
    };
    for (let i = 0; i < 5; i++) await cycle(); // warm up
    await until(up, 'exit0 up');
    const fd0 = fds(), ino0 = native.inodeLiveCount(), heap0 = heap(), shm0 = native.shmStats().regions;
    for (let i = 0; i < 50; i++) await cycle();
    await until(up, 'exit0 up');
    expect(info('exit').restarts).toBe(55);
    expect(fds()).toBeLessThanOrEqual(fd0 + 2);
    expect(native.inodeLiveCount()).toBe(ino0);
    expect(heap() - heap0).toBeLessThan(4 * 1024 * 1024);
    // each cycle's write went through a shared-memory region (mapped here and in the worker): none is left
    await new Promise((r) => setImmediate(r));
    expect(native.shmStats().regions).toBeLessThanOrEqual(shm0 + 1);
  }, 60_000);
});
