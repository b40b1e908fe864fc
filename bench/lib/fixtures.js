'use strict';
/**
 * Shared fixtures of the kernel suites: kernels and FreeBSD models filled with N devices.
 * Filling is setup, never timed; the model is filled with its setup path (no O(N) name check,
 * one-pass populate) so that building a million-device baseline takes seconds, not hours.
 */
const core = require('@devfs/core');
const { FreeBSDModel } = require('../baselines/freebsd-model');

/** The cdevsw every benchmark device uses (no methods: FreeBSD's defaults). */
const benchsw = { d_name: 'bench' };

/** A bare kernel (no memory devices) holding `n` devices named `${dir}${prefix}${i}`. */
function oursWith(n, dir = 'd/', prefix = 'x') {
  const k = core.createKernel({ memDevices: false });
  const devs = growOurs(k, [], n, dir, prefix);
  return { k, devs };
}

/** Adds devices to `k` until `devs` holds `n`. */
function growOurs(k, devs, n, dir = 'd/', prefix = 'x') {
  for (let i = devs.length; i < n; i++) devs.push(k.make_dev(benchsw, i, 0, 0, 0o600, `${dir}${prefix}%d`, i));
  return devs;
}

/** A FreeBSD model holding `n` devices named like `oursWith`. */
function modelWith(n, dir = 'd/', prefix = 'x') {
  const m = new FreeBSDModel();
  const devs = growModel(m, [], n, dir, prefix);
  return { m, devs };
}

/** Adds devices to the model until `devs` holds `n`. */
function growModel(m, devs, n, dir = 'd/', prefix = 'x') {
  for (let i = devs.length; i < n; i++) devs.push(m.bootDevice(`${dir}${prefix}${i}`));
  return devs;
}

/** Compact count: 1000 → "1k", 1000000 → "1M". */
function short(n) {
  if (n >= 1e6 && n % 1e6 === 0) return `${n / 1e6}M`;
  if (n >= 1e3 && n % 1e3 === 0) return `${n / 1e3}k`;
  return String(n);
}

module.exports = { core, benchsw, oursWith, growOurs, modelWith, growModel, short };
