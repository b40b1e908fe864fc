/** Jest runs every package's tests from the repository root, against the TypeScript sources. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test-support', '<rootDir>/native', '<rootDir>/packages', '<rootDir>/examples'],
  testMatch: ['**/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json' }],
  },
  moduleNameMapper: {
    '^@devfs/native$': '<rootDir>/native/lib/index.ts',
    '^@devfs/core/base$': '<rootDir>/packages/core/src/base.ts',
    '^@devfs/(core|drivers-pty|drivers-tap|drivers-disk|fuse|cli)$': '<rootDir>/packages/$1/src/index.ts',
  },
  testTimeout: 30000,
  // the incremental build first (the CLI tests run dist/bin.js; see build-first.js), then
  // unprivileged (uid 65534) test clients must reach this checkout even from a 0700 mktemp clone
  globalSetup: '<rootDir>/test-support/global-setup.js',
  globalTeardown: '<rootDir>/test-support/reach-repo-teardown.js',
};
