'use strict';
/**
 * The FUSE export (issue 16) against bindfs, a C libfuse filesystem, on the same data, with the
 * plain file as the ceiling. The export is served by this process (an in-process kernel, a vnode
 * md disk on the image, @devfs/fuse); every measured access is a separate child process (`dd`,
 * `find`), so this process never touches its own mount synchronously.
 *  - read/write: `dd bs=1M` of the whole disk through the export vs the image through bindfs vs
 *    the image itself. Cold caches on every side: before each timed run, `sync` and
 *    `echo 3 > /proc/sys/vm/drop_caches` (page cache, dentries and inodes — the image's pages, the
 *    bindfs file's pages and every FUSE dentry). The export itself never caches device bytes
 *    (FOPEN_DIRECT_IO). Writes are `conv=notrunc` without fsync on every side.
 *  - stat: `find DIR -ls` over N entries (N devices in the export; N empty files under bindfs),
 *    drop_caches before each run, so both start from a fresh dentry cache. The per-caller export
 *    never lets the kernel cache names (views differ) and caches attributes only on per-view
 *    inodes; the `--fuse-mount` mode (one view, names and attributes cached with invalidations)
 *    is the second row.
 * Needs root (mount, drop_caches), /dev/fuse and bindfs; otherwise the rows are skipped with the reason.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFile, execFileSync } = require('child_process');
const { tryRequire } = require('../lib/optional');

const MiB = 2 ** 20;

/** Runs a command as a child process; rejects on a non-zero exit. */
function run(cmd, args) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { maxBuffer: 64 * MiB }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
}

/** sync + drop_caches (3: page cache, dentries, inodes). */
async function dropCaches() {
  await run('sync', []);
  fs.writeFileSync('/proc/sys/vm/drop_caches', '3');
}

function missing() {
  if (process.getuid && process.getuid() !== 0) return 'needs root (mount, drop_caches)';
  if (!fs.existsSync('/dev/fuse')) return 'needs /dev/fuse';
  try { execFileSync('sh', ['-c', 'command -v bindfs'], { stdio: 'ignore' }); } catch { return "needs 'bindfs' on PATH (apt-get install bindfs)"; }
  return null;
}

async function run_(ctx) {
  const SIZE = (ctx.quick ? 32 : 256) * MiB;
  const ENTRIES = ctx.quick ? 2000 : 10000;
  const t = (text) => ({ op: '>=', value: 1.0, text, issue: 16 });
  const rows = {
    read: { id: 'read-vs-bindfs', label: 'fuse: dd 1 MiB reads of a vnode disk, cold', target: t('≥ 1.0× bindfs') },
    readCeil: { id: 'read-vs-file', label: 'fuse: dd 1 MiB reads ÷ the image file, cold' },
    readBindfsCeil: { id: 'read-bindfs-vs-file', label: 'bindfs: dd 1 MiB reads ÷ the image file, cold' },
    readPassthrough: { id: 'read-passthrough-vs-bindfs', label: 'fuse passthrough (experimental): dd 1 MiB reads, cold' },
    write: { id: 'write-vs-bindfs', label: 'fuse: dd 1 MiB writes of a vnode disk, cold', target: t('≥ 1.0× bindfs') },
    writeCeil: { id: 'write-vs-file', label: 'fuse: dd 1 MiB writes ÷ the image file, cold' },
    writeBindfsCeil: { id: 'write-bindfs-vs-file', label: 'bindfs: dd 1 MiB writes ÷ the image file, cold' },
    stat: { id: 'stat-vs-bindfs', label: `fuse: find -ls over ${ENTRIES.toLocaleString('en-US')} entries, fresh`, target: t('≥ 1.0× bindfs') },
    statCached: { id: 'stat-cached-vs-bindfs', label: `fuse --fuse-mount: find -ls over ${ENTRIES.toLocaleString('en-US')} entries, fresh` },
  };
  const why = missing();
  const fuse = tryRequire('@devfs/fuse', 'fuse');
  const disk = tryRequire('@devfs/drivers-disk', 'drivers-disk');
  const reason = why || fuse.reason || disk.reason;
  if (reason) {
    for (const r of Object.values(rows)) ctx.skip(r, reason);
    return;
  }
  const core = require('@devfs/core');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devfs-bench-fuse-'));
  const img = path.join(dir, 'data', 'disk.img');
  const files = path.join(dir, 'files');
  const exp = path.join(dir, 'export');
  const bind = path.join(dir, 'bindfs');
  const bindFiles = path.join(dir, 'bindfs-files');
  const kernel = core.createKernel();
  const root = kernel.mount({ name: 'root' });
  const md = new disk.mod.MdDriver(kernel);
  const mounted = [];
  let ex;
  let exCached;
  let exPassthrough;
  try {
    fs.mkdirSync(path.dirname(img));
    fs.mkdirSync(files);
    const fill = Buffer.alloc(MiB, 0xa5);
    const fd = fs.openSync(img, 'w');
    for (let off = 0; off < SIZE; off += MiB) fs.writeSync(fd, fill, 0, MiB, off);
    fs.closeSync(fd);
    for (let i = 0; i < ENTRIES; i++) fs.writeFileSync(path.join(files, `f${i}`), '');
    const sw = { d_name: 'bench' };
    for (let i = 0; i < ENTRIES; i++) kernel.make_dev(sw, i, 0, 0, 0o644, 'b/f%d', i);
    const name = await md.create({ type: 'vnode', file: img });
    const describe = (dev) => (dev.si_devsw === disk.mod.mdCdevsw ? { size: dev.si_drv1.disk.mediaSize, sectorSize: dev.si_drv1.disk.sectorSize } : undefined);
    ex = await fuse.mod.startFuseExport({ kernel, dir: exp, mountFor: () => root, describe });
    // the --fuse-mount mode: one mount for everyone, names and attributes cached (60 s, as the CLI)
    exCached = await fuse.mod.startFuseExport({ kernel, dir: path.join(dir, 'export-cached'), mountFor: () => root, describe, cacheSeconds: 60 });
    // stretch: FUSE passthrough of a whole vnode disk's read-only opens (the kernel reads the image)
    const describePt = (dev) => {
      const d = describe(dev);
      return d && dev.si_drv1.disk.store.kind === 'vnode' ? { ...d, backingFile: dev.si_drv1.disk.store.file } : d;
    };
    exPassthrough = await fuse.mod.startFuseExport({ kernel, dir: path.join(dir, 'export-pt'), mountFor: () => root, describe: describePt, passthrough: true });
    for (const [src, dst] of [[path.dirname(img), bind], [files, bindFiles]]) {
      fs.mkdirSync(dst);
      await run('bindfs', ['-o', 'allow_other', src, dst]);
      mounted.push(dst);
    }
    const ours = path.join(exp, name);
    const viaBindfs = path.join(bind, 'disk.img');
    const count = String(SIZE / MiB);
    const sides = (mk) => [
      { name: 'devfs export', ops: SIZE / MiB, prep: dropCaches, op: () => run('dd', mk(ours)) },
      { name: 'bindfs', ops: SIZE / MiB, prep: dropCaches, op: () => run('dd', mk(viaBindfs)) },
      { name: 'image file', ops: SIZE / MiB, prep: dropCaches, op: () => run('dd', mk(img)) },
    ];
    const opts = { fixedReps: 1, minSamples: 3, maxSamples: ctx.quick ? 3 : 6, budget: ctx.quick ? 5 : 30 };
    const params = { n: MiB, size: SIZE };
    const unit = { params, opsUnit: 'MiB/s' };
    const readArgs = (f) => [`if=${f}`, 'of=/dev/null', 'bs=1M', `count=${count}`, 'status=none'];
    const viaPt = path.join(dir, 'export-pt', name);
    await ctx.timeSides('fuse: 1 MiB sequential reads', [
      ...sides(readArgs),
      { name: 'devfs export, passthrough', ops: SIZE / MiB, prep: dropCaches, op: () => run('dd', readArgs(viaPt)) },
    ], [
      { meta: { ...rows.read, ...unit }, ours: 0, base: 1 },
      { meta: { ...rows.readCeil, ...unit }, ours: 0, base: 2 },
      { meta: { ...rows.readBindfsCeil, ...unit }, ours: 1, base: 2 },
      { meta: { ...rows.readPassthrough, ...unit }, ours: 3, base: 1 },
    ], opts);
    await ctx.timeSides('fuse: 1 MiB sequential writes', sides((f) => ['if=/dev/zero', `of=${f}`, 'bs=1M', `count=${count}`, 'conv=notrunc', 'status=none']), [
      { meta: { ...rows.write, ...unit }, ours: 0, base: 1 },
      { meta: { ...rows.writeCeil, ...unit }, ours: 0, base: 2 },
      { meta: { ...rows.writeBindfsCeil, ...unit }, ours: 1, base: 2 },
    ], opts);
    const lines = async (d) => {
      const out = await run('find', [d, '-ls']);
      const n = out.split('\n').length - 1;
      if (n < ENTRIES) throw new Error(`find -ls ${d} listed ${n} entries, not ${ENTRIES}`);
    };
    const statMeta = (r) => ({ ...r, params: { n: ENTRIES }, opsUnit: 'entries/s' });
    await ctx.timeSides(rows.stat.label, [
      { name: 'devfs export', ops: ENTRIES, prep: dropCaches, op: () => lines(path.join(exp, 'b')) },
      { name: 'bindfs', ops: ENTRIES, prep: dropCaches, op: () => lines(bindFiles) },
      { name: 'devfs export, cached', ops: ENTRIES, prep: dropCaches, op: () => lines(path.join(dir, 'export-cached', 'b')) },
    ], [
      { meta: statMeta(rows.stat), ours: 0, base: 1 },
      { meta: statMeta(rows.statCached), ours: 2, base: 1 },
    ], opts);
  } finally {
    for (const m of mounted) await run('umount', ['-l', m]).catch(() => {});
    if (ex) await ex.close();
    if (exCached) await exCached.close();
    if (exPassthrough) await exPassthrough.close();
    await md.detach().catch(() => {});
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

module.exports = { run: run_, rows: () => 9 };
