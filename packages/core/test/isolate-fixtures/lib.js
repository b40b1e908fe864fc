'use strict';
// The isolate tests' plugins (loaded in worker threads, so plain JavaScript against the built
// @devfs/core). plugin(name, fault) is an echo-like driver: `<name>0` is a loopback (what is
// written is read back; empty → EAGAIN, so readers block in the daemon), `<name>-link` an alias of
// it, `<name>` a cloner whose opens fdclone a fresh `<name>cN`, and lookups of `<name>uN` make that
// unit. ioctl 1 echoes its argument, ioctl 3 never answers. Its fault: 'read' throws in every d_read, 'attach' throws in attach, and 'spin', 'oom',
// 'exit', 'crash' happen when "go" is written to `<name>0`.
const { DRIVER, KERNEL, SelInfo, selrecord, selwakeup, devfsError, POLLIN, POLLOUT } = require('@devfs/core');

class Loop {
  constructor() { this.bytes = []; this.rsel = new SelInfo(); }
  read(buf) {
    if (this.bytes.length === 0) throw devfsError('EAGAIN', 'read');
    const c = this.bytes[0];
    const n = Math.min(c.length, buf.length);
    c.copy(buf, 0, 0, n);
    if (n === c.length) this.bytes.shift(); else this.bytes[0] = c.subarray(n);
    return n;
  }
  write(buf) { this.bytes.push(Buffer.from(buf)); selwakeup(this.rsel); return buf.length; }
  poll(events, file) {
    const r = (this.bytes.length ? POLLIN : 0) | POLLOUT;
    if (!(r & events)) selrecord(file, this.rsel);
    return r & events;
  }
}

function runFault(fault) {
  if (fault === 'spin') for (;;) { /* a hung driver */ }
  if (fault === 'oom') { const hog = []; for (;;) hog.push(new Array(1 << 16).fill({ x: hog.length })); }
  if (fault === 'exit') process.exit(7);
  if (fault === 'crash') setImmediate(() => { throw new Error('uncaught in the driver'); });
}

function plugin(name, fault) {
  class Driver {
    constructor(kernel) { this.kernel = kernel; this.name = name; this.units = kernel.unitAllocator(99); }
    attach() {
      if (fault === 'attach') throw new Error(`${name}: attach fails`);
      const loop = new Loop();
      const sw = {
        d_name: name,
        d_read: (dev, buf) => { if (fault === 'read') throw new TypeError('d_read is broken'); return dev.si_drv1.read(buf); },
        d_write: (dev, buf) => {
          if (buf.toString() !== 'go') return dev.si_drv1.write(buf);
          runFault(fault); // 'crash' returns (and throws later); the others never do
          return buf.length;
        },
        d_poll: (dev, events, file) => dev.si_drv1.poll(events, file),
        d_ioctl: (dev, cmd, arg) => {
          if (cmd === 1) return { echoed: arg, name: dev.si_name };
          if (cmd === 3) return new Promise(() => {}); // a call that never answers (the worker itself stays well)
          if (cmd === 4) { // events the plugin emits: forwarded to the daemon's stream
            this.kernel.emit({ type: 'CHANGE', name: dev.si_name, ino: dev.inode, data: { why: arg } });
            this.kernel.emit({ type: 'NOTIFY', name: name, data: { event: 'PLUGIN_SAYS', arg } });
            return 0;
          }
          if (cmd === 5) return this.kernel.emit({ type: 'CHANGE', name: dev.si_name, data: { f: () => 1 } }); // not cloneable
          throw devfsError('ENOTTY', 'ioctl');
        },
      };
      this.dev = this.kernel.make_dev_s({ devsw: sw, unit: 0, uid: 0, gid: 0, mode: 0o666, drv1: loop }, '%s0', name);
      this.kernel.make_dev_alias(this.dev, '%s-link', name);
      this.cloner = this.kernel.make_dev({ d_name: name, d_open: (_d, _f, file) => this.cloneOpen(file, sw) }, 0, 0, 0, 0o666, name);
      this.kernel.onClone((n, cred) => {
        const m = new RegExp(`^${name}u(\\d+)$`).exec(n);
        return m ? this.kernel.make_dev_s({ devsw: sw, unit: 100 + Number(m[1]), uid: cred.uid, gid: 0, mode: 0o600, drv1: new Loop() }, '%s', n) : undefined;
      }, { prefix: `${name}u` });
    }
    cloneOpen(file, sw) {
      const n = this.units.alloc();
      const dev = this.kernel.make_dev_s({ devsw: sw, unit: n, uid: file.cred.uid, gid: 0, mode: 0o600, drv1: new Loop() }, '%sc%d', name, n);
      const lb = dev.si_drv1;
      this.kernel.fdclone(file, {
        fo_read: (_f, buf) => lb.read(buf),
        fo_write: (_f, buf) => lb.write(buf),
        fo_poll: (f, ev) => lb.poll(ev, f),
        fo_close: () => { this.kernel.destroy_dev_sched(dev, () => this.units.free(n)); },
      }, dev);
    }
    async detach() {
      for (const d of [this.cloner, this.dev]) if (d) await this.kernel.destroy_dev(d).catch(() => undefined);
    }
  }
  return {
    register(container) {
      container.register(DRIVER, { useFactory: (c) => new Driver(c.resolve(KERNEL)) });
    },
  };
}

module.exports = { plugin };
