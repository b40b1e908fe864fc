module.exports = require('../lib').plugin('throwattach', 'attach');
