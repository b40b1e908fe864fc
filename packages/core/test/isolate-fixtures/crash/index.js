module.exports = require('../lib').plugin('crash', 'crash');
