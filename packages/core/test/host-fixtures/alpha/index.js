// A well-formed plugin: one driver that creates the device 'alpha0' on attach.
const { KERNEL, DRIVER, DRIVER_OPTIONS } = require('@devfs/core');
class AlphaDriver {
  constructor(kernel, options) { this.kernel = kernel; this.options = options; this.name = 'alpha'; }
  attach() {
    (globalThis.__hostLog ??= []).push('attach alpha');
    this.dev = this.kernel.make_dev({ d_name: 'alpha' }, 0, 0, 0, this.options.alpha?.mode ?? 0o600, 'alpha0');
  }
  async detach() {
    globalThis.__hostLog.push('detach alpha');
    await this.kernel.destroy_dev(this.dev);
  }
}
exports.AlphaDriver = AlphaDriver;
exports.register = (container) => {
  container.register(DRIVER, { useFactory: (c) => new AlphaDriver(c.resolve(KERNEL), c.resolve(DRIVER_OPTIONS)) });
};
