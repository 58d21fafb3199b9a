// Local mode: start the embedded emulators under DATA_DIR and point the standard AWS environment at
// them, so the rest of the app runs the exact AWS code path with different endpoints.
import { join } from 'node:path';
import type { Env } from '../config/env.config';
import { LOCAL_CREDENTIALS, LocalStack } from './local-stack';

export async function startLocalMode(
  env: Env,
  target: NodeJS.ProcessEnv,
  log: (service: string, line: string) => void,
): Promise<LocalStack> {
  const stack = await LocalStack.start({
    dynamoDir: join(env.DATA_DIR, 'dynamodb'),
    s3Dir: join(env.DATA_DIR, 's3'),
    region: env.AWS_REGION,
    onLog: log,
  });
  Object.assign(target, localAwsEnvironment(stack));
  return stack;
}

export function localAwsEnvironment(stack: LocalStack): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_S3: stack.endpoints.s3,
    AWS_ENDPOINT_URL_DYNAMODB: stack.endpoints.dynamodb,
    AWS_ENDPOINT_URL_SQS: stack.endpoints.sqs,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
  };
}
