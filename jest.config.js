// One run: unit specs beside the code, integration and e2e specs under test/, all against emulators
// started once by the global setup (DynamoDB Local in memory, s3rver, fauxqs).
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test', '<rootDir>/infra'],
  // Synth output and staged installs hold copies of src/ and package.json: never tests or modules.
  modulePathIgnorePatterns: ['<rootDir>/infra/cdk.out', '<rootDir>/infra/build', '<rootDir>/infra/dist'],
  testPathIgnorePatterns: [
    '/node_modules/',
    '<rootDir>/infra/cdk.out',
    '<rootDir>/infra/build',
    '<rootDir>/infra/dist',
  ],
  testRegex: '.*\\.(spec|int-spec|e2e-spec)\\.ts$',
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60000,
  // Emulators and keep-alive sockets are closed by each suite; fail loudly if one is left open.
  forceExit: false,
};
