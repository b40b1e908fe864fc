/**
 * Jest globalSetup: first the incremental TypeScript build (build-first.js: the CLI tests run
 * dist/, which must not be stale), then search permission on the checkout's ancestors for
 * unprivileged test clients (reach-repo.js). Teardown is reach-repo-teardown.js.
 */
'use strict';
const buildFirst = require('./build-first');
const reachRepo = require('./reach-repo');

module.exports = async function setup(globalConfig, projectConfig) {
  await buildFirst(globalConfig, projectConfig);
  await reachRepo(globalConfig, projectConfig);
};
