import { spawn } from '@devfs/drivers-pty';
import { BIN, daemonForSuite, until } from './helpers';

// Needs no root: the caller's daemon spawns the caller's own program.
describe('devfs pty spawn on a real terminal: raw mode and window-size changes forwarded', () => {
  const { sock } = daemonForSuite();

  test('the program sees the client terminal size, and the new size after the terminal is resized', async () => {
    // The client itself runs on a pty of ours (a real terminal), as a person's shell would run it.
    const term = spawn(process.execPath, [BIN, '--socket', sock(), 'pty', 'spawn', '--', 'sh', '-c', 'stty size; while read x; do stty size; [ "$x" = q ] && exit 4; done'],
      { cols: 91, rows: 33, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TERM: 'xterm' } });
    let out = '';
    term.onData((s) => { out += s; });
    const exited = new Promise<number>((r) => term.onExit((e) => r(e.exitCode)));
    const shows = (re: RegExp) => until(() => re.test(out), () => `${re}; got ${JSON.stringify(out)}`, 10000, 20);
    await shows(/33 91/);
    term.resize(120, 40);                          // SIGWINCH to the client → forwarded to the daemon's pty
    // The resize travels as a request and keystrokes on the raw channel: ask again until it shows.
    const asking = setInterval(() => term.write('\r'), 100); // raw mode: each Enter reaches `read x`
    try {
      await shows(/40 120/);
    } finally {
      clearInterval(asking);
    }
    term.write('q\r');
    expect(await exited).toBe(4);
    expect(out).not.toMatch(/33 91[\s\S]*33 91[\s\S]*40 120[\s\S]*33 91/); // never back to the old size
  }, 30000);
});
