module.exports = require('../lib').plugin('other', 'none');
