/**
 * Issue 13 item 8a, "a user's pty is the user's", through a real root daemon: a uid-65534 client's
 * `devfs pty spawn` runs its program on a host pty whose slave is owned by 65534, group tty, mode
 * 0620 — as a login's terminal — so the program can reopen its own terminal (`echo > $(tty)`).
 */
import { describeHost, needRoot, needTool } from '../../../test-support/host';
import { cli, daemonForSuite, letOthersReachRepo, NOBODY } from './helpers';

describeHost('a user\'s pty is the user\'s (root daemon, uid-65534 client)', [needRoot, needTool('stat'), needTool('tty')], () => {
  let restore: (() => void) | undefined;
  beforeAll(() => { restore = letOthersReachRepo(); });
  afterAll(() => restore?.());
  const { sock } = daemonForSuite();

  test('the host slave is 65534:tty 0620 and the program writes to $(tty)', async () => {
    const script = 'stat -c "%u %G %a" $(tty); id -u; echo ok > $(tty) && echo wrote';
    const r = await cli(sock(), ['pty', 'spawn', '--', 'sh', '-c', script], { ...NOBODY, timeoutMs: 10000 });
    expect(r.stdout.replace(/\r/g, '')).toBe('65534 tty 620\n65534\nok\nwrote\n');
    expect(r.code).toBe(0);
  }, 20000);
});
