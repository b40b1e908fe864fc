// Broken: built for a @devfs/core this is not.
exports.register = () => { throw new Error('must not be called'); };
