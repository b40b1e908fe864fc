'use strict';
/**
 * md disks, sequential 1 MiB reads and writes through a devfs handle:
 *  - a vnode disk against plain `fs` FileHandle reads/writes of the same image file (issue 7:
 *    at least 0.9×);
 *  - a malloc disk against Buffer.copy of the same sizes into/out of one Buffer.
 * The image lives in the OS temp dir and is removed at the end; both sides hit the page cache.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const { tryRequire } = require('../lib/optional');

const MiB = 2 ** 20;

async function run(ctx) {
  const SIZE = (ctx.quick ? 64 : 256) * MiB;
  const rows = [
    { id: 'vnode-read', label: 'vnode disk 1 MiB sequential read', target: { op: '>=', value: 0.9, text: '≥ 0.9× plain fs', issue: 7 } },
    { id: 'vnode-write', label: 'vnode disk 1 MiB sequential write', target: { op: '>=', value: 0.9, text: '≥ 0.9× plain fs', issue: 7 } },
    { id: 'malloc-read', label: 'malloc disk 1 MiB sequential read' },
    { id: 'malloc-write', label: 'malloc disk 1 MiB sequential write' },
  ];
  const core = require('@devfs/core');
  const disk = tryRequire('@devfs/drivers-disk', 'drivers-disk');
  if (!disk.mod || typeof disk.mod.MdDriver !== 'function') {
    for (const r of rows) ctx.skip(r, disk.reason || '@devfs/drivers-disk exports no MdDriver');
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devfs-bench-disk-'));
  const file = path.join(dir, 'disk.img');
  const kernel = core.createKernel();
  const dev = kernel.mount();
  const md = new disk.mod.MdDriver(kernel);
  const handles = [];
  try {
    // the image, filled with a pattern (no partition table: sector 0 is not zeros but no MBR magic)
    const fill = Buffer.alloc(MiB, 0xa5);
    const fd = fs.openSync(file, 'w');
    for (let off = 0; off < SIZE; off += MiB) fs.writeSync(fd, fill, 0, MiB, off);
    fs.closeSync(fd);

    const vname = await md.create({ type: 'vnode', file });
    const mname = await md.create({ type: 'malloc', size: SIZE });
    const vh = await dev.open(vname, 'r+');
    const mh = await dev.open(mname, 'r+');
    handles.push(vh, mh);
    const fh = await fs.promises.open(file, 'r+');
    handles.push(fh);
    for (let off = 0; off < SIZE; off += MiB) await mh.write(fill, off); // a malloc disk allocates on first write
    const mem = Buffer.alloc(SIZE, 0xa5);

    const rbuf = Buffer.alloc(MiB);
    const wbuf = Buffer.alloc(MiB, 0x5a);
    const seq = () => { let off = 0; return () => { const o = off; off = (off + MiB) % SIZE; return o; }; };
    const check = async (n, what) => { if (n !== MiB) throw new Error(`${what} moved ${n} bytes, not 1 MiB`); };

    const sides = {
      'vnode-read': [
        { name: 'ours', next: seq(), op: async (o) => check(await vh.read(rbuf, o), 'vnode read') },
        { name: 'plain fs', next: seq(), op: async (o) => check((await fh.read(rbuf, 0, MiB, o)).bytesRead, 'fs read') },
      ],
      'vnode-write': [
        { name: 'ours', next: seq(), op: async (o) => check(await vh.write(wbuf, o), 'vnode write') },
        { name: 'plain fs', next: seq(), op: async (o) => check((await fh.write(wbuf, 0, MiB, o)).bytesWritten, 'fs write') },
      ],
      'malloc-read': [
        { name: 'ours', next: seq(), op: async (o) => check(await mh.read(rbuf, o), 'malloc read') },
        { name: 'Buffer.copy', next: seq(), op: async (o) => check(mem.copy(rbuf, 0, o, o + MiB), 'copy') },
      ],
      'malloc-write': [
        { name: 'ours', next: seq(), op: async (o) => check(await mh.write(wbuf, o), 'malloc write') },
        { name: 'Buffer.copy', next: seq(), op: async (o) => check(wbuf.copy(mem, o), 'copy') },
      ],
    };
    for (const r of rows) {
      const [a, b] = sides[r.id];
      await ctx.compare(
        { ...r, params: { n: MiB, size: SIZE }, opsUnit: 'MiB/s' },
        { name: a.name, ops: 1, body: () => a.op(a.next()) },
        { name: b.name, ops: 1, body: () => b.op(b.next()) },
      );
    }
    // the data written through the vnode disk is in the file
    const probe = Buffer.alloc(512);
    await fh.read(probe, 0, 512, 0);
    if (!probe.equals(Buffer.alloc(512, 0x5a))) throw new Error('vnode disk writes did not reach the image file');
  } finally {
    for (const h of handles) await h.close().catch(() => {});
    await md.detach().catch(() => {});
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

module.exports = { run, rows: () => 4 };
