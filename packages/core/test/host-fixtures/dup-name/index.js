// Broken: a driver name that 'alpha' already uses.
const { DRIVER } = require('@devfs/core');
exports.register = (container) => {
  container.register(DRIVER, { useValue: { name: 'alpha', attach() { throw new Error('must not attach'); }, detach() {} } });
};
