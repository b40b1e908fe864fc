// Runnable example of the md driver: `node packages/drivers-disk/examples/md-demo.js` from the
// repository root after `pnpm install` (which builds dist/). Needs sfdisk on PATH for the table.
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { createKernel } = require('@devfs/core');
const { MdDriver, DIOCGMEDIASIZE, DIOCGSECTORSIZE } = require('..') // @devfs/drivers-disk;

async function main() {
  const kernel = createKernel();
  const dev = kernel.mount();
  const md = new MdDriver(kernel);
  kernel.events.on((e) => {
    if (e.type === 'NOTIFY' && e.data && e.data.driver === 'md') console.log('event:', e.name, e.data.event);
  });

  // A 64 GiB memory disk costs nothing until written.
  const mem = await md.create({ type: 'malloc', size: 64 * 2 ** 30 });
  const h = await dev.open(mem, 'r+');
  console.log(mem, 'media size', await h.ioctl(DIOCGMEDIASIZE), 'sector size', await h.ioctl(DIOCGSECTORSIZE));
  await h.write(Buffer.alloc(512, 0x42), 1 << 30);   // sector-aligned offset and length
  await h.close();

  // An image file partitioned by sfdisk, attached as a vnode disk.
  const img = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'md-demo-')), 'disk.img');
  fs.writeFileSync(img, '');
  fs.truncateSync(img, 16 * 2 ** 20);
  execFileSync('sfdisk', ['-q', img], { input: 'label: gpt\nsize=4096, name="boot"\nsize=8192, name="root fs"\n' });
  const disk = await md.create({ type: 'vnode', file: img });
  console.log(dev.readdir('').map((d) => d.name).join(' '));          // null zero full random urandom md0 md1 md1p1 gpt md1p2
  console.log('gpt/:', dev.readdir('gpt').map((d) => `${d.name} -> ${dev.readlink('gpt/' + d.name)}`).join(', '));
  console.log(JSON.stringify(md.info(disk).partitions));

  await md.destroy(disk);
  await md.destroy(mem);
  await kernel.events.flush();
  fs.rmSync(path.dirname(img), { recursive: true, force: true });
}

main().catch((err) => { console.error(err); process.exit(1); });
