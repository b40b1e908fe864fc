'use strict';
// An isolate test plugin with sysctl nodes and a miss hook (loaded in a worker thread, or in
// process for comparison). `knob0`'s writes add their length to `dev.knob.bytes`; its ioctls:
// 1 sets `dev.knob.level` to the argument; 2 sets it to the argument 30 ms later (outside any
// call); 3 removes `dev.knob.level`; 4 removes the miss hook; 6 exits the thread. Nodes:
// `dev.knob.level` (writable: `set` takes 0..9, else throws), `dev.knob.bytes` (about knob0),
// `dev.knob.broken` (its get throws EIO). The miss hook makes `knobmN` on an open miss (after
// 10 ms), never answers for `knobhang`, busy-loops for `knobspin`, and loads nothing for any
// other name.
const { DRIVER, KERNEL, devfsError } = require('@devfs/core');

class Knobs {
  constructor(kernel) { this.kernel = kernel; this.name = 'knobs'; this.level = 1; this.bytes = 0; this.undo = []; }
  attach() {
    const k = this.kernel;
    const sw = {
      d_name: 'knobs',
      d_read: () => 0,
      d_write: (_dev, buf) => { this.bytes += buf.length; return buf.length; },
      d_ioctl: (_dev, cmd, arg) => {
        if (cmd === 1) { this.level = arg; return 0; }
        if (cmd === 2) { setTimeout(() => { this.level = arg; }, 30); return 0; }
        if (cmd === 3) { this.removeLevel(); return 0; }
        if (cmd === 4) { this.removeMiss(); return 0; }
        if (cmd === 6) process.exit(9);
        throw devfsError('ENOTTY', 'ioctl');
      },
    };
    this.devs = [k.make_dev(sw, 0, 0, 0, 0o666, 'knob0')];
    this.removeLevel = k.sysctl.create('dev.knob.level', {
      get: () => this.level,
      set: (v) => { if (!/^[0-9]$/.test(v)) throw new Error('0..9'); this.level = Number(v); },
      description: 'a writable knob',
    });
    this.undo.push(() => this.removeLevel());
    this.undo.push(k.sysctl.create('dev.knob.bytes', { get: () => this.bytes, description: 'bytes written to knob0', device: 'knob0' }));
    this.undo.push(k.sysctl.create('dev.knob.broken', { get: () => { throw devfsError('EIO', 'sysctl.read', 'dev.knob.broken', 'the knob is broken'); } }));
    this.removeMiss = k.onMiss((name) => {
      if (name === 'knobhang') return new Promise(() => {});
      if (name === 'knobspin') for (;;) { /* hung in the hook */ }
      const m = /^knobm(\d+)$/.exec(name);
      if (!m) return Promise.resolve(false);
      return new Promise((resolve) => setTimeout(() => {
        this.devs.push(k.make_dev(sw, 10 + Number(m[1]), 0, 0, 0o644, name));
        resolve(true);
      }, 10));
    });
    this.undo.push(() => this.removeMiss());
  }
  async detach() {
    for (const f of this.undo.splice(0)) f();
    for (const d of this.devs.splice(0)) await this.kernel.destroy_dev(d).catch(() => undefined);
  }
}

module.exports = {
  register(container) {
    container.register(DRIVER, { useFactory: (c) => new Knobs(c.resolve(KERNEL)) });
  },
};
