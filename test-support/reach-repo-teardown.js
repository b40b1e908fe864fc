/** Jest globalTeardown: see reach-repo.js. */
module.exports = require('./reach-repo').teardown;
