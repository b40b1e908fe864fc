module.exports = require('../lib').plugin('throwread', 'read');
