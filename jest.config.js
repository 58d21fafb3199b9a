// One run: unit specs beside the code (the console's under web/), integration and e2e specs under test/, all against emulators
// started once by the global setup (DynamoDB Local in memory, s3rver, fauxqs).
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test', '<rootDir>/web'],
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
    // @fastify/static (serving the console) requires content-disposition 3, which ships only as ESM;
    // Node loads it natively, Jest's module runtime needs it compiled to CommonJS.
    '/content-disposition/dist/.+\\.js$': ['@swc/jest', { module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(@fastify/static/node_modules/)?content-disposition/)'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60000,
  // Emulators and keep-alive sockets are closed by each suite; fail loudly if one is left open.
  forceExit: false,
};
