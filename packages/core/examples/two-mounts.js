// Two mounts of one kernel: a full view and a jail; open `zero` and read from it.
// Run from the repository root after `pnpm install`: node packages/core/examples/two-mounts.js
const { createKernel, D_TTY } = require('@devfs/core');

(async () => {
  const kernel = createKernel();                                   // null zero full random urandom
  kernel.make_dev({ d_name: 'demo', d_flags: D_TTY }, 0, 0, 5, 0o620, 'pts/%d', 0);
  const host = kernel.mount({ name: 'host' });
  const jail = kernel.mount({ name: 'jail', ruleset: 'devfsrules_jail', jail: true });
  host.chmod('null', 0o600);                                       // only in this mount
  console.log('host:', host.readdir('').map((d) => d.name).join(' '));
  console.log('jail:', jail.readdir('').map((d) => d.name).join(' '));
  console.log('null mode host/jail:', (host.stat('null').mode & 0o777).toString(8), (jail.stat('null').mode & 0o777).toString(8));
  const zero = await jail.open('zero', 'r');
  const buf = Buffer.alloc(8, 0xff);
  console.log('read', await zero.read(buf), 'bytes:', buf);
  await zero.close();
})();
