module.exports = require('../lib').plugin('oom', 'oom');
