// Starts the emulators once per test run and hands their endpoints to every test file via the env.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStack } from '../../src/shared/local/local-stack';
import { localAwsEnvironment } from '../../src/shared/local/local-mode';

declare global {
  var __PIPESCOPE_STACK__: LocalStack | undefined;
}

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const s3Dir = mkdtempSync(join(tmpdir(), 'pipescope-test-s3-'));
  const stack = await LocalStack.start({ s3Dir, region: 'us-east-1' });
  globalThis.__PIPESCOPE_STACK__ = stack;
  Object.assign(process.env, localAwsEnvironment(stack), {
    AWS_REGION: 'us-east-1',
    PIPESCOPE_TEST_S3_DIR: s3Dir,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    // A test that reads EMF lines switches them on.
    METRICS_EMF_ENABLED: 'false',
    // The SDK's notice that Node 20 support ends in 2027 is known (README); keep test output readable.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  process.stdout.write(
    `\nemulators ready in ${Date.now() - started} ms: ${JSON.stringify(stack.endpoints)}\n`,
  );
}
