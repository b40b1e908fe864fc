// Broken: no register function.
exports.Driver = class {};
