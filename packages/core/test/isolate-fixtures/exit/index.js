module.exports = require('../lib').plugin('exit', 'exit');
