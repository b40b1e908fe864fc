module.exports = require('../lib').plugin('spin', 'spin');
