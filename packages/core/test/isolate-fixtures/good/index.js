module.exports = require('../lib').plugin('good', 'none');
