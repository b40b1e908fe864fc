'use strict';
/**
 * The pty rows' operations, for any node-pty-shaped `spawn` (ours or node-pty itself):
 *  - `transfer(spawn, bytes, opts)`: `head -c BYTES /dev/zero` writes through the pty; resolves when
 *    the child exited and its output ended, with how many bytes arrived (opts.busy: the event
 *    loop does other work meanwhile);
 *  - `echoSession(spawn)`: `stty raw -echo; cat` behind the pty; `roundTrip()` writes one
 *    keystroke and resolves when it came back.
 */

/** node-pty may report the exit before its last data event: how long to keep counting after. */
const LATE_DATA_MS = 200;

/**
 * `busy`: while the transfer runs, the event loop also does other work — `workMs` of CPU every
 * `everyMs` (an application that hosts the terminal and does something else too).
 */
function transfer(spawn, bytes, { lateDataMs = 0, busy = null } = {}) {
  const timer = busy ? setInterval(() => { const t = Date.now(); while (Date.now() - t < busy.workMs); }, busy.everyMs) : null;
  const done = new Promise((resolve, reject) => {
    let got = 0;
    const p = spawn('head', ['-c', String(bytes), '/dev/zero'], { name: 'xterm', cols: 80, rows: 24, encoding: null, env: { PATH: process.env.PATH } });
    p.onData((d) => { got += d.length; });
    p.onExit(({ exitCode }) => {
      if (exitCode !== 0) return reject(new Error(`head exited ${exitCode}`));
      if (lateDataMs) setTimeout(() => resolve(got), lateDataMs);
      else resolve(got);
    });
  });
  return timer ? done.finally(() => clearInterval(timer)) : done;
}

function echoSession(spawn) {
  return new Promise((resolve, reject) => {
    const p = spawn('sh', ['-c', 'stty raw -echo; printf READY; exec cat'], { name: 'xterm', cols: 80, rows: 24, encoding: null, env: { PATH: process.env.PATH } });
    let banner = '';
    let waiter = null;
    let pending = 0;
    const timer = setTimeout(() => reject(new Error('echo session: no READY within 5 s')), 5000);
    p.onData((d) => {
      if (waiter === null && pending === 0 && banner !== null) {
        banner += d.toString('latin1');
        if (banner.includes('READY')) {
          banner = null;
          clearTimeout(timer);
          resolve(session);
        }
        return;
      }
      pending -= d.length;
      if (pending <= 0 && waiter) { const w = waiter; waiter = null; w(); }
    });
    const session = {
      roundTrip: () => new Promise((res) => { pending = 1; waiter = res; p.write('x'); }),
      close: () => new Promise((res) => { p.onExit(() => res()); p.kill(); }),
    };
  });
}

module.exports = { transfer, echoSession, LATE_DATA_MS };
