// Broken: throws while being required.
throw new Error('syntax of a broken build');
