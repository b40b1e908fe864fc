/**
 * Jest globalSetup step: the CLI tests run daemon and client processes from the built
 * packages/cli/dist/bin.js (and, through it, every workspace package's dist/), so a stale dist/
 * would test yesterday's code. This runs the incremental TypeScript build (`tsc -b
 * tsconfig.build.json`: about a second when everything is up to date) under the shared build lock
 * (/tmp/devfs-build.lock, as `pnpm run build:ts` is run by hand) before any test.
 *
 * A failed build is loud but does not abort the run: the compiler's output goes to stderr and
 * DEVFS_BUILD_ERROR carries it to the test workers, where the CLI test helpers (the only users of
 * dist/) throw it, so every suite that would run a stale dist/ fails and the others still run.
 * With DEVFS_TEST_BIN set (the suites pointed at another build on purpose) nothing is built.
 */
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const REPO = path.resolve(__dirname, '..');
const LOCK = '/tmp/devfs-build.lock';
const BIN = path.join(REPO, 'packages', 'cli', 'dist', 'bin.js');

/** The command that runs the build: under flock(1) when it is installed, else tsc alone. */
function buildArgv() {
  const tsc = [process.execPath, require.resolve('typescript/bin/tsc', { paths: [REPO] }), '-b', 'tsconfig.build.json'];
  const hasFlock = spawnSync('sh', ['-c', 'command -v flock'], { stdio: 'ignore' }).status === 0;
  return hasFlock ? ['flock', LOCK, ...tsc] : tsc;
}

/**
 * Runs the incremental build. Returns null when it succeeded, else the failure text (also written
 * to stderr). The bin is made executable as `pnpm run build:ts` does (a fresh emit is 0644).
 */
function buildFirst() {
  if (process.env.DEVFS_TEST_BIN) return null;
  const argv = buildArgv();
  const r = spawnSync(argv[0], argv.slice(1), { cwd: REPO, encoding: 'utf8', timeout: 600000 });
  if (r.status === 0) {
    const mode = fs.existsSync(BIN) ? fs.statSync(BIN).mode : 0o111;
    if ((mode & 0o111) !== 0o111) fs.chmodSync(BIN, mode | 0o111);
    return null;
  }
  const why = `tsc -b tsconfig.build.json failed (${r.error ? r.error.message : `status ${r.status}, signal ${r.signal}`}) — dist/ may be stale:\n${r.stdout}${r.stderr}`;
  process.stderr.write(`\n*** devfs test setup: ${why}\n`);
  return why;
}

/** globalSetup entry: builds, and hands a failure to the test workers through the environment. */
module.exports = async function setup() {
  const why = buildFirst();
  if (why) process.env.DEVFS_BUILD_ERROR = why;
  else delete process.env.DEVFS_BUILD_ERROR;
};
module.exports.buildFirst = buildFirst;
