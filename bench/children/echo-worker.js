'use strict';
/**
 * A worker_thread running examples/driver-echo in process (its own host and kernel, the driver's
 * calls on this thread): on each message N it writes 64 KiB to an echo unit and reads it back N
 * times, and answers N. The isolate suite's baseline for what the thread itself costs a driver
 * (its malloc arena, its V8 heap), apart from forwarding.
 */
const path = require('path');
const { parentPort } = require('worker_threads');
const core = require('@devfs/core');

const ECHO = path.join(__dirname, '..', '..', 'examples', 'driver-echo');
const K = 64 * 1024;

(async () => {
  const host = await core.createHost({ drivers: [ECHO], onError: (f) => { throw f.error; } });
  const f = await host.kernel.mount({ name: 'worker' }).open('echo3', 'r+');
  const data = Buffer.alloc(K, 0x5a);
  const back = Buffer.alloc(K);
  parentPort.on('message', async (n) => {
    for (let i = 0; i < n; i++) {
      await f.write(data);
      if ((await f.read(back)) !== K) throw new Error('short echo read');
    }
    parentPort.postMessage(n);
  });
  parentPort.postMessage(0);
})();
