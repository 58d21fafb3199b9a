// Names of the stateful resources, derived from the settings alone, so the stateless stack imports
// them by name instead of through CloudFormation exports: either stack can be replaced on its own, and
// every ARN in a policy reads the same in the template, in the docs and in cdk-nag's findings.
import { Aws, Stack } from 'aws-cdk-lib';
import { ITable, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Bucket, IBucket } from 'aws-cdk-lib/aws-s3';
import { IQueue, Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { Settings } from './settings';

/** Account and region make the bucket names globally unique and predictable. */
export const dataBucketName = (s: Settings): string => `${s.name}-data-${Aws.ACCOUNT_ID}-${Aws.REGION}`;
export const logBucketName = (s: Settings): string => `${s.name}-logs-${Aws.ACCOUNT_ID}-${Aws.REGION}`;
export const tableName = (s: Settings): string => s.name;
/** PIPESCOPE_QUEUE; the app derives the dead-letter queue as `${PIPESCOPE_QUEUE}-dlq` (env.config.ts). */
export const queueName = (s: Settings): string => `${s.name}-replay`;
export const deadLetterQueueName = (s: Settings): string => `${queueName(s)}-dlq`;
/** ALB access logs go under this prefix of the log bucket; S3 server access logs under `s3/`. */
export const ALB_LOG_PREFIX = 'alb';

export interface DataResources {
  bucket: IBucket;
  logBucket: IBucket;
  table: ITable;
  queue: IQueue;
  deadLetterQueue: IQueue;
}

/** The stateful resources as seen from another stack (same account and region). */
export function importData(scope: Construct, s: Settings): DataResources {
  const stack = Stack.of(scope);
  const queue = (id: string, name: string) =>
    Queue.fromQueueAttributes(scope, id, {
      queueName: name,
      queueArn: stack.formatArn({ service: 'sqs', resource: name }),
    });
  return {
    bucket: Bucket.fromBucketName(scope, 'DataBucket', dataBucketName(s)),
    logBucket: Bucket.fromBucketName(scope, 'LogBucket', logBucketName(s)),
    table: Table.fromTableName(scope, 'Table', tableName(s)),
    queue: queue('ReplayQueue', queueName(s)),
    deadLetterQueue: queue('ReplayDeadLetterQueue', deadLetterQueueName(s)),
  };
}
