// Loaded by MODLOAD on a LOOKUP miss of 'lazy': its attach creates the device.
const { KERNEL, DRIVER } = require('@devfs/core');
exports.register = (container) => {
  container.register(DRIVER, { useFactory: (c) => {
    const kernel = c.resolve(KERNEL); let dev;
    return {
      name: 'lazy',
      attach() { globalThis.__lazyLoads = (globalThis.__lazyLoads ?? 0) + 1; dev = kernel.make_dev({ d_name: 'lazy', d_read: () => 0 }, 0, 0, 0, 0o666, 'lazy'); },
      detach() { return kernel.destroy_dev(dev); },
    };
  } });
};
