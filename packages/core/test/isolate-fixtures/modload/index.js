'use strict';
// An isolate test plugin that loads another plugin (the `other` fixture) through MODLOAD: its
// attach adds the action rule `LOOKUP ^other0$ MODLOAD <other>` to its kernel's event stream, and
// ioctl 1 on `ml0` runs that stream's autoload for `other0` (answering what autoload resolved);
// ioctl 2 emits a LOOKUP of `elsewhere0` (kernel.emit: the host's stream receives it, and the
// worker's own stream, whose rule does not match it).
const path = require('path');
const { DRIVER, KERNEL, devfsError } = require('@devfs/core');

class ModloadDriver {
  constructor(kernel) { this.kernel = kernel; this.name = 'modload'; }
  attach() {
    const k = this.kernel;
    k.events.loadConfig(`LOOKUP ^other0$ MODLOAD ${path.join(__dirname, '..', 'other')}\n`, 'modload-fixture');
    this.dev = k.make_dev({
      d_name: 'modload',
      d_ioctl: (_dev, cmd) => {
        if (cmd === 1) return k.events.autoload('other0');
        if (cmd === 2) return k.emit({ type: 'LOOKUP', name: 'elsewhere0' });
        throw devfsError('ENOTTY', 'ioctl');
      },
    }, 0, 0, 0, 0o666, 'ml0');
  }
  async detach() {
    if (this.dev) await this.kernel.destroy_dev(this.dev).catch(() => undefined);
  }
}

module.exports = {
  register(container) {
    container.register(DRIVER, { useFactory: (c) => new ModloadDriver(c.resolve(KERNEL)) });
  },
};
