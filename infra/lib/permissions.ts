// Least privilege, derived from the code: which SDK commands each role's code path sends (grep
// `Command(` in src/shared/aws), the IAM action each needs, and on which resource. The stacks build
// their policies from these lists and docs/operations.md shows them; infra/test/permissions.spec.ts
// fails when src sends a command that no list accounts for.
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';

/** Top-level key prefixes of the bucket (docs/data-model.md, S3 layout). */
export const PREFIX = {
  raw: 'raw/',
  rejected: 'rejected/',
  replays: 'replays/',
  lineage: 'lineage/',
} as const;
export type Prefix = keyof typeof PREFIX;

/** What a statement is scoped to: the bucket, objects under a prefix, the table or one index, the queue. */
export type Target =
  | { bucket: true }
  | { objects: Prefix }
  | { table: true }
  | { index: 'gsi1' | 'gsi2' | 'gsi3' | 'gsi4' | 'all' }
  | { queue: 'replay' | 'dead-letter' };

export interface Grant {
  actions: string[];
  on: Target[];
  /** The SDK commands (or AWS service) that need it, for the docs and the drift test. */
  calls: string[];
  why: string;
}

/**
 * SDK command -> IAM actions. TransactWriteItems is authorised per item (PutItem, UpdateItem). A read
 * of a missing key answers 403 instead of 404 without s3:ListBucket, and the code relies on the 404.
 */
export const COMMAND_ACTIONS: Record<string, string[]> = {
  PutObjectCommand: ['s3:PutObject'],
  DeleteObjectCommand: ['s3:DeleteObject'],
  GetObjectCommand: ['s3:GetObject', 's3:ListBucket'],
  HeadObjectCommand: ['s3:GetObject', 's3:ListBucket'],
  ListObjectsV2Command: ['s3:ListBucket'],
  HeadBucketCommand: ['s3:ListBucket'],
  PutCommand: ['dynamodb:PutItem'],
  UpdateCommand: ['dynamodb:UpdateItem'],
  GetCommand: ['dynamodb:GetItem'],
  BatchGetCommand: ['dynamodb:BatchGetItem'],
  QueryCommand: ['dynamodb:Query'],
  TransactWriteCommand: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
  DescribeTableCommand: ['dynamodb:DescribeTable'],
  GetQueueUrlCommand: ['sqs:GetQueueUrl'],
  SendMessageBatchCommand: ['sqs:SendMessage'],
  ReceiveMessageCommand: ['sqs:ReceiveMessage'],
  DeleteMessageCommand: ['sqs:DeleteMessage'],
  DeleteMessageBatchCommand: ['sqs:DeleteMessage'],
  ChangeMessageVisibilityBatchCommand: ['sqs:ChangeMessageVisibility'],
  GetQueueAttributesCommand: ['sqs:GetQueueAttributes'],
};

/**
 * Commands only `npm run provision` sends (src/shared/aws/provisioner.ts). Under CDK, CloudFormation
 * creates the resources, so no runtime role has them.
 */
export const PROVISIONING_COMMANDS = [
  'CreateBucketCommand',
  // Retention (src/shared/aws/bucket-retention.ts); the stack sets the same rules on the bucket.
  'GetBucketLifecycleConfigurationCommand',
  'PutBucketLifecycleConfigurationCommand',
  'DeleteBucketLifecycleCommand',
  'GetObjectLockConfigurationCommand',
  'CreateTableCommand',
  'UpdateContinuousBackupsCommand',
  'UpdateTimeToLiveCommand',
  'CreateQueueCommand',
];

/** The API service (ECS task role) with PROCESSOR_ENABLED=false: the Lambda consumes the queue. */
export const API_GRANTS: Grant[] = [
  {
    actions: ['s3:PutObject'],
    on: [{ objects: 'raw' }, { objects: 'rejected' }, { objects: 'replays' }],
    calls: ['PutObjectCommand'],
    why: 'raw events and batches (conditional create), rejected submissions, frozen replay selections',
  },
  {
    actions: ['s3:DeleteObject'],
    on: [{ objects: 'raw' }],
    calls: ['DeleteObjectCommand'],
    why: "only raw bytes ingest wrote in the same request and that no index item points to (a repeat's or a conflict's object, a batch object rewritten after a race; docs/ingest.md)",
  },
  {
    actions: ['s3:GetObject'],
    on: [{ objects: 'raw' }, { objects: 'rejected' }, { objects: 'replays' }, { objects: 'lineage' }],
    calls: ['GetObjectCommand'],
    why: 'GET /events/{id} (range GET for batch members), rejected rows, replay parts, aggregate inputs',
  },
  {
    actions: ['s3:ListBucket'],
    on: [{ bucket: true }],
    calls: ['HeadBucketCommand', 'ListObjectsV2Command'],
    why: "/health/ready, reconcile's listing of `raw/`; also makes a missing key answer 404 instead of 403",
  },
  {
    actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:GetItem', 'dynamodb:BatchGetItem'],
    on: [{ table: true }],
    calls: ['PutCommand', 'UpdateCommand', 'GetCommand', 'BatchGetCommand'],
    why: 'claims, attempts, rejected rows, counters, activity, replay jobs; reads by key',
  },
  {
    actions: ['dynamodb:Query'],
    on: [{ table: true }, { index: 'all' }],
    calls: ['QueryCommand'],
    why: 'every investigation read, replay selection and job listing (base table and gsi1..gsi4)',
  },
  {
    actions: ['dynamodb:DescribeTable'],
    on: [{ table: true }],
    calls: ['DescribeTableCommand'],
    why: '/health/ready',
  },
  {
    actions: ['sqs:GetQueueUrl', 'sqs:SendMessage', 'sqs:GetQueueAttributes'],
    on: [{ queue: 'replay' }],
    calls: ['GetQueueUrlCommand', 'SendMessageBatchCommand', 'GetQueueAttributesCommand'],
    why: 'replay publishing (SendMessageBatch is authorised as SendMessage), /health/ready',
  },
  {
    actions: [
      'sqs:GetQueueUrl',
      'sqs:ReceiveMessage',
      'sqs:ChangeMessageVisibility',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
    ],
    on: [{ queue: 'dead-letter' }],
    calls: [
      'GetQueueUrlCommand',
      'ReceiveMessageCommand',
      'ChangeMessageVisibilityBatchCommand',
      'DeleteMessageCommand',
      'DeleteMessageBatchCommand',
      'GetQueueAttributesCommand',
    ],
    why: 'GET /dlq (receive, then visible again at once), POST /dlq/redrive (sent to the replay queue first, then deleted), DELETE /dlq/{id}',
  },
];

/** The processor Lambda (src/processor/processor.lambda.ts), fed by the SQS event source mapping. */
export const PROCESSOR_GRANTS: Grant[] = [
  {
    actions: ['s3:GetObject'],
    on: [{ objects: 'raw' }],
    calls: ['GetObjectCommand'],
    why: 'loads the raw event (range GET for batch members) to verify its hash',
  },
  {
    actions: ['s3:PutObject'],
    on: [{ objects: 'lineage' }],
    calls: ['PutObjectCommand'],
    why: 'the lineage file of each commit: the inputs every new aggregate version added',
  },
  {
    actions: ['s3:ListBucket'],
    on: [{ bucket: true }],
    calls: ['GetObjectCommand'],
    why: 'a missing raw object must read as 404 (integrity error raw_missing), not 403 (retried)',
  },
  {
    actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    on: [{ table: true }],
    calls: ['GetCommand', 'BatchGetCommand', 'PutCommand', 'TransactWriteCommand'],
    why: "a batch's indexed events (one BatchGetItem), aggregate pointers, each replay job's progress layout (once per job); versions, contributions (with the DONE records they carry), pointers, processed markers and progress counts of a batch (one transaction)",
  },
  {
    actions: ['dynamodb:Query'],
    on: [{ table: true }],
    calls: ['QueryCommand'],
    why: "a bucket's contributions, when an aggregator without an incremental form or of a new version recomputes it",
  },
  {
    actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
    on: [{ queue: 'replay' }],
    calls: ['Lambda event source mapping'],
    why: 'Lambda polls the queue and deletes what the handler did not report as failed',
  },
];

/**
 * Containers that also consume the queue (PROCESSOR_ENABLED=true, e.g. the deploy/k8s consumer pods)
 * run the whole app, replay runner included: they need both lists.
 */
export const CONSUMER_GRANTS: Grant[] = [...API_GRANTS, ...PROCESSOR_GRANTS];

export interface GrantResources {
  bucket: IBucket;
  table: ITable;
  queue: IQueue;
  deadLetterQueue: IQueue;
}

export function arnsOf(target: Target, r: GrantResources): string[] {
  if ('bucket' in target) return [r.bucket.bucketArn];
  if ('objects' in target) return [r.bucket.arnForObjects(`${PREFIX[target.objects]}*`)];
  if ('table' in target) return [r.table.tableArn];
  if ('index' in target) {
    const index = target.index === 'all' ? '*' : target.index;
    return [`${r.table.tableArn}/index/${index}`];
  }
  return [target.queue === 'replay' ? r.queue.queueArn : r.deadLetterQueue.queueArn];
}

/** One explicit statement per grant: no wildcard action, resources exactly as listed. */
export function statementsFor(grants: Grant[], resources: GrantResources): PolicyStatement[] {
  return grants.map(
    (g) =>
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: g.actions,
        resources: g.on.flatMap((t) => arnsOf(t, resources)),
      }),
  );
}

/** A target as the docs show it. */
export function describeTarget(target: Target): string {
  if ('bucket' in target) return 'the bucket';
  if ('objects' in target) return `\`${PREFIX[target.objects]}*\``;
  if ('table' in target) return 'the table';
  if ('index' in target) return target.index === 'all' ? 'every index' : `index \`${target.index}\``;
  return target.queue === 'replay' ? 'the replay queue' : 'the dead-letter queue';
}

/** The bullet list docs/operations.md carries for a role (checked by a test). */
export function grantsMarkdown(grants: Grant[]): string {
  return grants
    .map(
      (g) =>
        `- ${g.actions.map((a) => `\`${a}\``).join(', ')} on ${g.on.map(describeTarget).join(', ')}: ${g.why}`,
    )
    .join('\n');
}
