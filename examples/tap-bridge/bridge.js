#!/usr/bin/env node
'use strict';
/**
 * tap-bridge: a user-space L2 bridge between two network namespaces on the devfs tap driver —
 * one tap in each namespace, every frame read from one written to the other, in batches
 * (readFrames/writeFrames: one native call per batch). With --offloads the taps carry the
 * virtio-net header and accept checksum/TSO offloads, so one frame can be a 64 KiB TCP super-frame
 * that the kernel segments (or never segments, when the peer takes GSO too): the frames are
 * forwarded header and all, untouched.
 *
 *   node examples/tap-bridge/bridge.js --a /run/netns/left --b /run/netns/right [--offloads] [--batch 64]
 *
 * Prints one JSON line {"ready":true,"a":"tap0","b":"tap0"} once both taps exist (the caller then
 * gives them addresses and brings them up), and {"frames":N} at exit. SIGINT/SIGTERM: closes both
 * handles (the taps disappear) and exits. Needs root (CAP_NET_ADMIN) and /dev/net/tun.
 */
const path = require('path');
const root = path.join(__dirname, '..', '..');
const { createKernel } = require(path.join(root, 'packages', 'core'));
const { TapDriver, TAPGIFNAME, readFrames, writeFrames, VNET_HDR_LEN } = require(path.join(root, 'packages', 'drivers-tap'));

function parseArgs(argv) {
  const o = { a: '', b: '', offloads: false, batch: 64 };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (k === '--a' || k === '--b') o[k.slice(2)] = argv[++i];
    else if (k === '--offloads') o.offloads = true;
    else if (k === '--batch') o.batch = Number(argv[++i]);
    else throw new Error(`unknown argument ${k}`);
  }
  if (!o.a || !o.b) throw new Error('usage: bridge.js --a NETNS_PATH --b NETNS_PATH [--offloads] [--batch N]');
  if (!Number.isInteger(o.batch) || o.batch < 1 || o.batch > 1024) throw new Error('--batch must be 1..1024');
  return o;
}

/** One tap in the namespace at `netns`, made by a driver of its own (the `tap` cloner). */
async function openTap(netns, offloads) {
  const kernel = createKernel();
  const clone = offloads ? { vnetHdr: true, offloads: ['csum', 'tso4', 'tso6', 'tso_ecn'] } : {};
  const driver = new TapDriver(kernel, { netns, watch: false, clone });
  driver.attach();
  if (driver.unavailable) throw driver.unavailable;
  const handle = await kernel.mount().open('tap', 'r+');
  return { driver, handle, name: await handle.ioctl(TAPGIFNAME) };
}

/** Copies frames from `src` to `dst` until `stop.now`; returns how many. */
async function pump(src, dst, batch, frameBytes, stop) {
  const bufs = Array.from({ length: batch }, () => Buffer.allocUnsafe(frameBytes));
  let frames = 0;
  while (!stop.now) {
    let lens;
    try {
      lens = await readFrames(src, bufs);
    } catch (err) {
      if (stop.now) break;
      if (err.code === 'EHOSTDOWN') { await new Promise((r) => setTimeout(r, 20)); continue; } // not up yet
      throw err;
    }
    let out = lens.map((n, i) => bufs[i].subarray(0, n));
    frames += out.length;
    while (out.length && !stop.now) {
      try {
        out = out.slice(await writeFrames(dst, out)); // frames the write queue refused go again
      } catch (err) {
        if (err.code !== 'EIO') throw err; // the other port is down: a bridge drops the frames
        break;
      }
    }
  }
  return frames;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const a = await openTap(o.a, o.offloads);
  const b = await openTap(o.b, o.offloads);
  process.stdout.write(JSON.stringify({ ready: true, a: a.name, b: b.name }) + '\n');
  const stop = { now: false };
  const frameBytes = o.offloads ? VNET_HDR_LEN + 65535 + 18 : 1518;
  const done = Promise.all([pump(a.handle, b.handle, o.batch, frameBytes, stop), pump(b.handle, a.handle, o.batch, frameBytes, stop)]);
  const end = async () => {
    if (stop.now) return;
    stop.now = true;
    await Promise.all([a.handle.close(), b.handle.close()]); // wakes the pumps (ENXIO/EBADF), removes the taps
    const counts = await done.catch(() => [0, 0]);
    await Promise.all([a.driver.detach(), b.driver.detach()]);
    process.stdout.write(JSON.stringify({ frames: counts[0] + counts[1] }) + '\n');
    process.exit(0);
  };
  process.on('SIGINT', end);
  process.on('SIGTERM', end);
  done.catch((err) => { if (!stop.now) { console.error(err); process.exit(1); } });
}

main().catch((err) => { console.error(err); process.exit(1); });
