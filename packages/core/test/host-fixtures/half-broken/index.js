// Two drivers: 'gamma' attaches; 'delta' creates a device, then fails; its detach must clean up.
const { KERNEL, DRIVER } = require('@devfs/core');
exports.register = (container) => {
  container.register(DRIVER, { useFactory: (c) => {
    const kernel = c.resolve(KERNEL); let dev;
    return { name: 'gamma', attach() { dev = kernel.make_dev({ d_name: 'gamma' }, 0, 0, 0, 0o600, 'gamma0'); }, detach() { return kernel.destroy_dev(dev); } };
  } });
  container.register(DRIVER, { useFactory: (c) => {
    const kernel = c.resolve(KERNEL); let dev;
    return {
      name: 'delta',
      attach() { dev = kernel.make_dev({ d_name: 'delta' }, 0, 0, 0, 0o600, 'delta0'); throw Object.assign(new Error('no hardware'), { code: 'ENXIO' }); },
      async detach() { globalThis.__hostLog.push('detach delta'); if (dev) await kernel.destroy_dev(dev); },
    };
  } });
};
