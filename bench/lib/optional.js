'use strict';
/**
 * Loads a package a driver row needs, or says why it cannot: the row is then skipped with that
 * reason. Workspace packages are tried by name, then from packages/<dir> (a driver written in
 * parallel may not be a dependency of @devfs/bench yet), and must have been built (dist/).
 */
const path = require('path');
const fs = require('fs');

/** { mod } or { reason }. */
function tryRequire(name, dir) {
  const tries = [name];
  if (dir) tries.push(path.join(__dirname, '..', '..', 'packages', dir));
  const errors = [];
  for (const t of tries) {
    try {
      return { mod: require(t) };
    } catch (e) {
      errors.push(`${t}: ${e.code || e.message.split('\n')[0]}`);
    }
  }
  if (dir && fs.existsSync(path.join(__dirname, '..', '..', 'packages', dir)) && !fs.existsSync(path.join(__dirname, '..', '..', 'packages', dir, 'dist'))) {
    return { reason: `${name} is not built (run pnpm run build:ts)` };
  }
  return { reason: `${name} cannot be loaded (${errors.join('; ')})` };
}

module.exports = { tryRequire };
