/**
 * Use after close (issue 14): once the driver detached, every handle it had opened — ptmx masters,
 * pts slaves, a spawned program's pty — fails with ENXIO/EIO/EBADF without touching its old host
 * fd number, which the host hands to the next file opened; blocked reads and polls wake.
 */
import { createKernel, POLLERR, POLLIN, POLLNVAL } from '@devfs/core';
import type { Mount } from '@devfs/core';
import { PtyDriver, TIOCGWINSZ, TIOCSWINSZ } from '@devfs/drivers-pty';
import { victimsOn } from '../../../test-support/fd-reuse';
import { ptyFds } from './helpers';

const USER = { uid: 1000, gid: 1000, groups: [1000] };
/** Deliberate: a window in which a blocked call must NOT settle. */
const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));

/** A promise's outcome without letting a rejection go unhandled meanwhile. */
function outcome<T>(p: Promise<T>): { settled: () => boolean; result: Promise<{ value?: T; error?: { code?: string } }> } {
  let done = false;
  const result = p.then((value) => ({ value }), (error) => ({ error })).finally(() => { done = true; });
  return { settled: () => done, result };
}

/** fd numbers of this process's pty fds that are not in `before`. */
function newPtyFds(before: string[]): number[] {
  return ptyFds().filter((f) => !before.includes(f)).map((f) => Number(f.split('->')[0]));
}

describe('pty driver detach revokes every handle', () => {
  let driver: PtyDriver;
  let m: Mount;
  let before: string[];

  beforeEach(() => {
    before = ptyFds();
    driver = new PtyDriver(createKernel({ memDevices: false }));
    driver.attach();
    m = driver.kernel.mount({ name: 'root' });
  });

  afterEach(async () => {
    await driver.detach();
    expect(ptyFds()).toEqual(before);
  });

  test('open ptmx and pts handles: pending reads reject ENXIO, pending polls wake with POLLNVAL|POLLERR; later calls are ENXIO and the files that got the fd numbers are untouched', async () => {
    const master = await m.open('ptmx', 'r+', USER);
    const slave = await m.open('pts/0', 'r+', USER);
    const numbers = newPtyFds(before);
    expect(numbers).toHaveLength(2);
    const pending = [master.read(Buffer.alloc(64)), slave.read(Buffer.alloc(64))].map(outcome);
    const polls = [master.poll(POLLIN), slave.poll(POLLIN)].map(outcome);
    await tick();
    expect([...pending, ...polls].map((p) => p.settled())).toEqual([false, false, false, false]); // really blocked

    await driver.detach();
    for (const p of pending) expect((await p.result).error).toMatchObject({ code: 'ENXIO' });
    for (const p of polls) expect((await p.result).value! & (POLLNVAL | POLLERR)).toBe(POLLNVAL | POLLERR);

    const victims = victimsOn(numbers, 'pty-revoke');
    try {
      for (const h of [master, slave]) {
        await expect(h.write(Buffer.from('STALE WRITE'))).rejects.toMatchObject({ code: 'ENXIO', syscall: 'write' });
        await expect(h.read(Buffer.alloc(64))).rejects.toMatchObject({ code: 'ENXIO', syscall: 'read' });
        await expect(h.ioctl(TIOCGWINSZ)).rejects.toMatchObject({ code: 'ENXIO' });
        await expect(h.ioctl(TIOCSWINSZ, { cols: 10, rows: 10 })).rejects.toMatchObject({ code: 'ENXIO' });
        expect((await h.poll(POLLIN)) & POLLNVAL).toBe(POLLNVAL);
      }
      victims.check();
    } finally {
      victims.remove();
    }
    await master.close();
    await slave.close();
  });

  test('a program spawned through the driver: its Pty stops using the master before it is closed; write is EIO, resize EBADF, onExit reports the hangup', async () => {
    const pty = driver.spawn('sleep', ['30'], { env: { PATH: process.env.PATH } });
    const exited = new Promise<{ exitCode: number; signal?: number }>((r) => pty.onExit(r));
    const numbers = newPtyFds(before);
    expect(numbers).toHaveLength(1);

    await driver.detach();
    const victims = victimsOn(numbers, 'pty-revoke-spawn'); // the program may still be running
    try {
      expect(() => pty.write('STALE WRITE')).toThrow(expect.objectContaining({ code: 'EIO' }));
      expect(() => pty.resize(100, 30)).toThrow(expect.objectContaining({ code: 'EBADF' }));
      expect(pty.process).toBe('sleep');
      victims.check();
    } finally {
      victims.remove();
    }
    expect(await exited).toEqual({ exitCode: 0, signal: 1 }); // SIGHUP: its terminal hung up
  });
});
