'use strict';
/**
 * open, read 1 byte, close — what a program that opens a device per use pays:
 *  - `null` through a mount against `fs.promises` open/read/close of the host's `/dev/null`
 *    (issue 20: at least 2×; ours makes no system call, the host's three);
 *  - a driver with a `d_open` (and a `d_read` that gives one byte, a `d_close`) through a mount,
 *    against the same host `/dev/null` (reported).
 */
const fs = require('fs');
const { core } = require('../lib/fixtures');

const BATCH = 16;

async function run(ctx) {
  const k = core.createKernel();
  const mnt = k.mount();
  let opens = 0;
  const echosw = {
    d_name: 'echo',
    d_open() { opens++; },
    d_read(_dev, buf) { buf[0] = 0x65; return 1; },
    d_close() {},
  };
  k.make_dev(echosw, 0, 0, 0, 0o666, 'echo0');
  const buf = Buffer.alloc(1);
  const ours = (name, want) => async () => {
    for (let i = 0; i < BATCH; i++) {
      const f = await mnt.open(name, 'r');
      const n = await f.read(buf);
      await f.close();
      if (n !== want) throw new Error(`${name}: read gave ${n} bytes, expected ${want}`);
    }
  };
  const host = async () => {
    for (let i = 0; i < BATCH; i++) {
      const fh = await fs.promises.open('/dev/null', 'r');
      const { bytesRead } = await fh.read(buf, 0, 1);
      await fh.close();
      if (bytesRead !== 0) throw new Error('/dev/null gave bytes');
    }
  };
  await ctx.compare(
    { id: 'null', label: 'open+read 1 B+close of null', params: { n: 1 }, opsUnit: 'opens/s',
      target: { op: '>=', value: 2, text: '≥ 2× fs.promises on /dev/null', issue: 20 } },
    { name: 'ours', ops: BATCH, body: ours('null', 0) },
    { name: 'fs.promises /dev/null', ops: BATCH, body: host },
  );
  await ctx.compare(
    { id: 'echo', label: 'open+read 1 B+close, driver with d_open', params: { n: 1 }, opsUnit: 'opens/s' },
    { name: 'ours', ops: BATCH, body: ours('echo0', 1) },
    { name: 'fs.promises /dev/null', ops: BATCH, body: host },
  );
  if (opens === 0) throw new Error('d_open never ran');
  mnt.unmount();
  await k.events.close();
}

module.exports = { run, rows: () => 2 };
