/**
 * Issue 13, item 2: typing faster than the program reads. A uid-65534 client floods the pty data
 * connection of a program that never reads stdin; the daemon stops reading that connection above
 * the input high-water mark (so the client can only push a few MiB) instead of queueing until
 * ENOBUFS, stays small and keeps serving; a program that does read gets everything (reading resumes).
 */
import * as path from 'path';
import { describeHost, needRoot } from '../../../test-support/host';
import { alive, attacker, cli, daemonForSuite, letOthersReachRepo, rssOf } from './helpers';

const RAW = path.join(__dirname, 'soak', 'raw.js');
const MiB = 1024 * 1024;

describeHost('boundary: pty input backpressure (root daemon, uid-65534 flood)', [needRoot], () => {
  let restore: (() => void) | undefined;
  beforeAll(() => { restore = letOthersReachRepo(); });
  afterAll(() => restore?.());
  const { sock, daemon } = daemonForSuite();

  test('96 MiB into a program that never reads: the client is held back, the daemon stays small and serves', async () => {
    const pid = daemon().child.pid!;
    const rss0 = rssOf(pid);
    const a = attacker(`
      const raw = require(${JSON.stringify(RAW)});
      (async () => {
        // raw mode: a canonical-mode tty with a full line discards further input (the kernel eats
        // it at any rate, so nothing would be held back); a raw one stops taking it, which is the case
        const p = await raw.ptySpawn(process.env.SOCK, 'sh', ['-c', 'stty raw -echo; sleep 30']);
        const sent = await raw.flood(p.data, 96 * 1024 * 1024, 4000);
        console.log('sent', sent);
        p.data.destroy();
        p.ctl.socket.destroy();
        setTimeout(() => process.exit(0), 100);
      })().catch((e) => { console.log('failed', JSON.stringify(e)); process.exit(1); });
    `, { SOCK: sock() });
    expect(await a.exited).toBe(0);
    const sent = Number(/sent (\d+)/.exec(a.out())?.[1]);
    // what the daemon accepted: its input high-water mark (1 MiB) plus socket buffers, not 96 MiB
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThan(16 * MiB);
    expect(alive(pid)).toBe(true);
    expect(rssOf(pid) - rss0).toBeLessThan(48 * MiB);
    expect((await cli(sock(), ['mounts'])).code).toBe(0);
    expect(daemon().out()).not.toMatch(/ENOBUFS|Uncaught/);
  }, 30000);

  test('a program that reads slowly still gets every byte: reading resumes when its queue drains', async () => {
    const total = 6 * MiB;
    const a = attacker(`
      const raw = require(${JSON.stringify(RAW)});
      (async () => {
        const p = await raw.ptySpawn(process.env.SOCK, 'sh', ['-c', 'stty raw -echo; echo ready; sleep 1; head -c ${total} | wc -c; echo done']);
        await new Promise((r) => { const t = setInterval(() => { if (/ready/.test(p.output())) { clearInterval(t); r(); } }, 20); });
        const sent = await raw.flood(p.data, ${total}, 20000);
        console.log('sent', sent);
        await new Promise((r) => { const t = setInterval(() => { if (/done/.test(p.output())) { clearInterval(t); r(); } }, 20); });
        console.log(JSON.stringify(p.output()));
        process.exit(0);
      })().catch((e) => { console.log('failed', JSON.stringify(e)); process.exit(1); });
    `, { SOCK: sock() });
    const t = setTimeout(() => void a.kill(), 25000);
    expect(await a.exited).toBe(0);
    clearTimeout(t);
    expect(a.out()).toMatch(new RegExp(`sent ${total}\\n`));
    expect(a.out()).toContain(`\\n${total}\\ndone`); // wc -c counted all of it (JSON-quoted output)
    expect(alive(daemon().child.pid!)).toBe(true);
  }, 30000);
});
