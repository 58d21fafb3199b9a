// `npm run provision`: create the bucket, table and queues if missing (idempotent), in either mode.
// In local mode the emulators are started for the duration of the command.
import 'reflect-metadata';
import { createAwsClients, destroyAwsClients } from './shared/aws/aws-clients';
import { ResourceProvisioner } from './shared/aws/provisioner';
import { ConfigError, validateEnv } from './shared/config/env.config';
import { localAwsEnvironment } from './shared/local/local-mode';
import { LocalStack } from './shared/local/local-stack';
import { join } from 'node:path';

async function provision(): Promise<void> {
  let env = validateEnv(process.env);
  let stack: LocalStack | undefined;
  if (env.PIPESCOPE_MODE === 'local') {
    stack = await LocalStack.start({
      dynamoDir: join(env.DATA_DIR, 'dynamodb'),
      s3Dir: join(env.DATA_DIR, 's3'),
      region: env.AWS_REGION,
    });
    Object.assign(process.env, localAwsEnvironment(stack));
    env = validateEnv(process.env);
  }
  const clients = createAwsClients(env);
  try {
    const report = await new ResourceProvisioner(env, clients).provision();
    process.stdout.write(`${JSON.stringify({ mode: env.PIPESCOPE_MODE, ...report }, null, 2)}\n`);
  } finally {
    destroyAwsClients(clients);
    await stack?.stop();
  }
}

provision().catch((err: unknown) => {
  const message = err instanceof ConfigError ? err.message : ((err as Error)?.stack ?? String(err));
  process.stderr.write(`pipescope provision failed: ${message}\n`);
  process.exit(1);
});
