'use strict';
// The data-path test plugin (isolate-fastio.test.ts): `fio0` keeps what is written and logs
// every call, so a test sees in which order and with which positions calls reached the worker.
//   write(buf, pos)  appends buf; logs ['w', text, pos]
//   read(buf, pos)   takes the oldest bytes (0 when none); logs ['r', pos]; with `mode.failRead`
//                    throws; with `mode.delayMs` answers that much later
//   ioctl 1          → { queued, log } (logs ['i'] first)
//   ioctl 2 arg      → sets mode (an object), clears the log
//   ioctl 4 ms       → busy-waits ms in the worker before answering (requests pile up meanwhile)
const { DRIVER, KERNEL } = require('@devfs/core');

class Driver {
  constructor(kernel) { this.kernel = kernel; this.name = 'fio'; this.queue = []; this.log = []; this.mode = {}; }
  attach() {
    const sw = {
      d_name: 'fio',
      d_write: (_dev, buf, pos) => {
        this.log.push(['w', buf.toString('latin1'), pos]);
        this.queue.push(Buffer.from(buf));
        return buf.length;
      },
      d_read: (_dev, buf, pos) => {
        this.log.push(['r', pos]);
        if (this.mode.failRead) throw new TypeError('fio: d_read is broken');
        const n = this.take(buf);
        return this.mode.delayMs ? new Promise((r) => setTimeout(() => r(n), this.mode.delayMs)) : n;
      },
      d_ioctl: (_dev, cmd, arg) => {
        if (cmd === 1) {
          this.log.push(['i']);
          return { queued: this.queue.reduce((a, b) => a + b.length, 0), log: this.log };
        }
        if (cmd === 2) { this.mode = arg; this.log = []; return 0; }
        if (cmd === 4) { const end = Date.now() + arg; while (Date.now() < end) { /* busy */ } return 0; }
        return 0;
      },
    };
    this.dev = this.kernel.make_dev(sw, 0, 0, 0, 0o666, 'fio0');
  }
  take(buf) {
    let n = 0;
    while (n < buf.length && this.queue.length) {
      const c = this.queue[0];
      const k = Math.min(c.length, buf.length - n);
      c.copy(buf, n, 0, k);
      n += k;
      if (k === c.length) this.queue.shift(); else this.queue[0] = c.subarray(k);
    }
    return n;
  }
  async detach() { if (this.dev) await this.kernel.destroy_dev(this.dev); }
}

module.exports = {
  register(container) {
    container.register(DRIVER, { useFactory: (c) => new Driver(c.resolve(KERNEL)) });
  },
};
