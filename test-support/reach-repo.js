/**
 * Jest globalSetup/globalTeardown: lets unprivileged test clients (uid 65534 processes running the
 * CLI from this checkout) reach the repository for the whole run. A clone inside a `mktemp -d`
 * directory (mode 0700) cannot be traversed by other uids; as root, this adds search permission
 * (o+x, never read or write) to each ancestor that lacks it and puts the modes back at the end.
 * Suites that call letOthersReachRepo themselves still work (they find nothing left to change).
 * Without root it does nothing: such suites skip or fail on their own host checks.
 */
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');

const REPO = path.resolve(__dirname, '..');
const RECORD = path.join(os.tmpdir(), `devfs-reach-repo-${process.pid}.json`);

module.exports = async function setup() {
  if (!process.getuid || process.getuid() !== 0) return;
  const changed = [];
  for (let dir = REPO; ; dir = path.dirname(dir)) {
    const mode = fs.statSync(dir).mode & 0o7777;
    if ((mode & 0o001) === 0) {
      fs.chmodSync(dir, mode | 0o001);
      changed.push([dir, mode]);
    }
    if (path.dirname(dir) === dir) break;
  }
  process.env.DEVFS_REACH_REPO_RECORD = RECORD;
  fs.writeFileSync(RECORD, JSON.stringify(changed));
};

/** globalTeardown: restores the modes setup changed. */
module.exports.teardown = async function teardown() {
  const record = process.env.DEVFS_REACH_REPO_RECORD;
  if (!record || !fs.existsSync(record)) return;
  const changed = JSON.parse(fs.readFileSync(record, 'utf8'));
  for (const [dir, mode] of changed.reverse()) fs.chmodSync(dir, mode);
  fs.rmSync(record, { force: true });
};
