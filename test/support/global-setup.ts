// Starts the emulators once per test run and hands their endpoints (and the log level) to every test
// file in one variable, PIPESCOPE_TEST_RUN, read once per file by test-app.ts.
import { startEmulators, type RunningEmulators } from '../../src/bootstrap';
import { validateEnv } from '../../src/shared/config/env.config';
import type { TestRun } from './test-app';

declare global {
  var __PIPESCOPE_EMULATORS__: RunningEmulators | undefined;
}

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const emulators = await startEmulators(validateEnv({ AWS_REGION: 'us-east-1' }), 'temporary');
  globalThis.__PIPESCOPE_EMULATORS__ = emulators;
  const run: TestRun = { endpoints: emulators.endpoints, logLevel: process.env.LOG_LEVEL ?? 'silent' };
  process.env.PIPESCOPE_TEST_RUN = JSON.stringify(run);
  process.stdout.write(
    `\nemulators ready in ${Date.now() - started} ms: ${JSON.stringify(emulators.endpoints)}\n`,
  );
}
