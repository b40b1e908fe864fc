'use strict';
// `@devfs/core/base`: core without native code (see src/base.ts).
module.exports = require('./dist/base');
