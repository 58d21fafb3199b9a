// Three tiers, each runnable alone (`npm run test:unit`, `test:integration`, `test:e2e`) and all three
// in one run by `npm test`. Unit specs sit beside the code (the console's under web/) and need no emulator; integration and e2e
// specs share emulators started once per run by the global setup (DynamoDB Local in memory, fauxqs
// for S3 and for SQS). Jest runs a global setup once even when both of those projects are selected.
const transform = {
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
};

// Synth output and staged installs hold copies of src/ and package.json: never tests or modules.
const BUILD_OUTPUT = ['<rootDir>/infra/cdk.out', '<rootDir>/infra/build', '<rootDir>/infra/dist'];

const common = {
  testEnvironment: 'node',
  modulePathIgnorePatterns: BUILD_OUTPUT,
  testPathIgnorePatterns: ['/node_modules/', ...BUILD_OUTPUT],
  transform,
  transformIgnorePatterns: ['/node_modules/(?!(@fastify/static/node_modules/)?content-disposition/)'],
  testTimeout: 60000,
};

const withEmulators = {
  ...common,
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 60000,
  // Emulators and keep-alive sockets are closed by each suite; fail loudly if one is left open.
  forceExit: false,
  projects: [
    {
      ...common,
      displayName: 'unit',
      roots: ['<rootDir>/src', '<rootDir>/examples', '<rootDir>/web', '<rootDir>/infra', '<rootDir>/bench'],
      testRegex: '.*\\.spec\\.ts$',
    },
    {
      ...withEmulators,
      displayName: 'integration',
      roots: ['<rootDir>/test/integration', '<rootDir>/infra'],
      testRegex: '.*\\.int-spec\\.ts$',
    },
    {
      ...withEmulators,
      displayName: 'e2e',
      roots: ['<rootDir>/test/e2e'],
      // Every answer of a test app is checked against the OpenAPI document.
      setupFilesAfterEnv: ['<rootDir>/test/support/contract-check.ts'],
      testRegex: '.*\\.e2e-spec\\.ts$',
    },
  ],
};
