// Creates the bucket, table (GSIs, point-in-time recovery, TTL) and queues (with a dead-letter queue)
// when missing, and puts the bucket's lifecycle rules in the state the retention config asks for.
// Idempotent; the same code runs at local boot and in `npm run provision`.
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  UpdateContinuousBackupsCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Env } from '../config/env.config';
import { Retention, TTL_ATTRIBUTE } from '../retention/retention';
import { applyBucketRetention, LifecycleReport } from './bucket-retention';
import { GSI } from './table-keys';

/** The TTL attribute lives with the retention; exported here too for code that imports it from here. */
export { TTL_ATTRIBUTE };

export interface ProvisionReport {
  bucket: 'created' | 'exists';
  table: 'created' | 'exists';
  queue: string;
  deadLetterQueue: string;
  lifecycle: LifecycleReport;
  warnings: string[];
}

export class ResourceProvisioner {
  constructor(
    private readonly env: Env,
    private readonly clients: { s3: S3Client; dynamoBase: DynamoDBClient; sqs: SQSClient },
  ) {}

  async provision(): Promise<ProvisionReport> {
    const warnings: string[] = [];
    const [bucket, table, queues] = await Promise.all([this.bucket(), this.table(warnings), this.queues()]);
    const lifecycle = await applyBucketRetention(
      this.clients.s3,
      this.env.PIPESCOPE_BUCKET,
      Retention.fromEnv(this.env),
      warnings,
    );
    return { bucket, table, ...queues, lifecycle, warnings };
  }

  private async bucket(): Promise<'created' | 'exists'> {
    const Bucket = this.env.PIPESCOPE_BUCKET;
    try {
      await this.clients.s3.send(new HeadBucketCommand({ Bucket }));
      return 'exists';
    } catch (err) {
      if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode !== 404) throw err;
    }
    try {
      await this.clients.s3.send(
        new CreateBucketCommand({
          Bucket,
          ...(this.env.AWS_REGION !== 'us-east-1'
            ? { CreateBucketConfiguration: { LocationConstraint: this.env.AWS_REGION as never } }
            : {}),
        }),
      );
    } catch (err) {
      const name = (err as { name?: string }).name;
      if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw err;
    }
    return 'created';
  }

  private async table(warnings: string[]): Promise<'created' | 'exists'> {
    const TableName = this.env.PIPESCOPE_TABLE;
    const dynamo = this.clients.dynamoBase;
    try {
      await dynamo.send(new DescribeTableCommand({ TableName }));
      return 'exists';
    } catch (err) {
      if ((err as { name?: string }).name !== 'ResourceNotFoundException') throw err;
    }
    const attributes = ['pk', 'sk', ...GSI.flatMap((g) => [`${g}pk`, `${g}sk`])];
    try {
      await dynamo.send(
        new CreateTableCommand({
          TableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: attributes.map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          GlobalSecondaryIndexes: GSI.map((g) => ({
            IndexName: g,
            KeySchema: [
              { AttributeName: `${g}pk`, KeyType: 'HASH' },
              { AttributeName: `${g}sk`, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          })),
        }),
      );
    } catch (err) {
      if ((err as { name?: string }).name !== 'ResourceInUseException') throw err;
    }
    await waitUntilTableExists({ client: dynamo, maxWaitTime: 120 }, { TableName });
    try {
      await dynamo.send(
        new UpdateContinuousBackupsCommand({
          TableName,
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        }),
      );
    } catch (err) {
      warnings.push(`point-in-time recovery not enabled: ${(err as Error).message}`);
    }
    try {
      await dynamo.send(
        new UpdateTimeToLiveCommand({
          TableName,
          TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
        }),
      );
    } catch (err) {
      warnings.push(`TTL not enabled: ${(err as Error).message}`);
    }
    return 'created';
  }

  private async queues(): Promise<{ queue: string; deadLetterQueue: string }> {
    const sqs = this.clients.sqs;
    const dlq = await sqs.send(
      new CreateQueueCommand({
        QueueName: this.env.deadLetterQueue,
        Attributes: { MessageRetentionPeriod: String(14 * 24 * 3600) },
      }),
    );
    const dlqArn = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    const main = await sqs.send(
      new CreateQueueCommand({
        QueueName: this.env.PIPESCOPE_QUEUE,
        Attributes: {
          VisibilityTimeout: String(this.env.QUEUE_VISIBILITY_TIMEOUT_S),
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: dlqArn.Attributes?.QueueArn,
            maxReceiveCount: this.env.QUEUE_MAX_RECEIVE_COUNT,
          }),
        },
      }),
    );
    return { queue: main.QueueUrl!, deadLetterQueue: dlq.QueueUrl! };
  }
}
