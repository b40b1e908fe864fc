'use strict';
/**
 * A worker_thread with its own kernel (createKernel({ memDevices: false })) sharing the
 * process-global inode table: on each message N it runs N make_dev + destroy_dev pairs and
 * answers N.
 */
const { parentPort } = require('worker_threads');
const core = require('@devfs/core');

const k = core.createKernel({ memDevices: false });
const sw = { d_name: 'bench' };
parentPort.on('message', (n) => {
  if (n === 'exit') { parentPort.close(); return; }
  for (let i = 0; i < n; i++) k.destroy_dev(k.make_dev(sw, 0, 0, 0, 0o600, 'w/probe'));
  parentPort.postMessage(n);
});
