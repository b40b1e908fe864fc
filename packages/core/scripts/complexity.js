#!/usr/bin/env node
/* make_dev + destroy_dev cost vs number of existing devices (after `pnpm run build:ts`):
 *   node packages/core/scripts/complexity.js [sizes=1000,100000,1000000]
 * Prints pairs/s at each size and the ratio to the smallest size (flat ≈ 1.0 means O(1));
 * FreeBSD's make_dev compares the new name with every device (O(N)). The full benchmark suite
 * with same-run baselines is in bench/. */
'use strict';
const { createKernel } = require('../dist');
const sizes = (process.argv[2] ?? '1000,100000,1000000').split(',').map(Number);
const sw = { d_name: 'bench' };

async function rate(k, pairs) {
  const t0 = process.hrtime.bigint();
  const pending = [];
  for (let i = 0; i < pairs; i++) pending.push(k.destroy_dev(k.make_dev(sw, i, 0, 0, 0o600, 'x/probe%d', i)));
  await Promise.all(pending);
  await k.events.flush();
  return pairs / (Number(process.hrtime.bigint() - t0) / 1e9);
}

(async () => {
  const results = [];
  for (const n of sizes) {
    const k = createKernel({ memDevices: false });
    for (let i = 0; i < n; i++) k.make_dev(sw, i, 0, 0, 0o600, 'dev%d', i);
    await k.events.flush();
    await rate(k, 20000); // warm-up
    const r = Math.max(await rate(k, 100000), await rate(k, 100000));
    results.push(r);
    console.log(`${String(n).padStart(8)} existing devices: ${Math.round(r).toLocaleString('en')} make_dev+destroy_dev pairs/s  (ratio to ${sizes[0]}: ${(r / results[0]).toFixed(2)})`);
  }
})();
