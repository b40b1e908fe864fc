'use strict';
/**
 * The C baselines (c/*.c): built with the host's `cc` at run time into a temporary directory, so
 * nothing binary is committed and a machine without a compiler skips those rows with the reason.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');

/** True when `cmd` is on PATH. */
function which(cmd) {
  try { execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }); return true; } catch { return false; }
}

/**
 * Compiles c/NAME.c with `cc -O2`; returns { bin, cleanup } or { skip: reason } when there is no
 * compiler. A compile error throws (the source is ours: that is a bug, not a host limitation).
 */
function buildC(name) {
  if (!which('cc')) return { skip: `no C compiler 'cc' to build the baseline program c/${name}.c` };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `devfs-bench-${name}-`));
  const bin = path.join(dir, name);
  try {
    execFileSync('cc', ['-O2', '-o', bin, path.join(__dirname, '..', 'c', `${name}.c`)], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return { bin, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

module.exports = { which, buildC };
