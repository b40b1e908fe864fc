// Broken: declares no @devfs/core range.
exports.register = () => { throw new Error('must not be called'); };
