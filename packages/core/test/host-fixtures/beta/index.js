// A second well-formed plugin (attach order and reverse detach order).
const { KERNEL, DRIVER } = require('@devfs/core');
exports.register = (container) => {
  container.register(DRIVER, { useFactory: (c) => {
    const kernel = c.resolve(KERNEL);
    let dev;
    return {
      name: 'beta',
      attach() { globalThis.__hostLog.push('attach beta'); dev = kernel.make_dev({ d_name: 'beta' }, 0, 0, 0, 0o644, 'beta0'); },
      detach() { globalThis.__hostLog.push('detach beta'); return kernel.destroy_dev(dev); },
    };
  } });
};
