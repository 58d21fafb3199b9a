// The data: bucket, table, replay queue and its dead-letter queue, and the access-log bucket. Every
// resource is kept when the stack is deleted (RemovalPolicy.RETAIN), the table also refuses deletion.
// The table is the one src/shared/aws/provisioner.ts creates (keys, GSIs, on-demand, PITR, TTL).
import { Duration, RemovalPolicy, Stack, StackProps, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table } from 'aws-cdk-lib/aws-dynamodb';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  ObjectLockRetention,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { DeadLetterQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { AccountPrincipal, IPrincipal, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY } from 'aws-cdk-lib/cx-api';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import type { Construct } from 'constructs';
import { TTL_ATTRIBUTE } from '../../src/shared/aws/provisioner';
import { GSI } from '../../src/shared/aws/table-keys';
import { Env } from '../../src/shared/config/env.config';
import {
  ALB_LOG_PREFIX,
  dataBucketName,
  deadLetterQueueName,
  logBucketName,
  queueName,
  tableName,
} from './data-resources';
import { RawCatalog } from './raw-catalog';
import { retentionOf, type Settings } from './settings';

const defaults = new Env();
/** SQS keeps a message at most 14 days; the dead-letter queue keeps poison that long for inspection. */
const DLQ_RETENTION = Duration.days(14);
/** Lambda's advice for an SQS event source: visibility timeout at least 6x the function timeout. */
export const PROCESSOR_TIMEOUT = Duration.seconds(30);
export const QUEUE_VISIBILITY = Duration.seconds(PROCESSOR_TIMEOUT.toSeconds() * 6);

export interface StatefulStackProps extends StackProps {
  settings: Settings;
}

export class StatefulStack extends Stack {
  readonly bucket: Bucket;
  readonly logBucket: Bucket;
  readonly table: Table;
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  /** Athena tables over raw/ (docs/athena.md). */
  readonly catalog: RawCatalog;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    // Server access logs under a bucket policy, not the legacy log-delivery ACL (before any bucket).
    this.node.setContext(S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);
    const { settings } = props;

    // Server access logs of the data bucket and the load balancer's access logs (SSE-S3: ALB log
    // delivery does not support KMS keys).
    this.logBucket = new Bucket(this, 'AccessLogs', {
      bucketName: logBucketName(settings),
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // A log bucket that logged its own access would log its log writes forever.
    Validations.of(this.logBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket; it does not log itself.',
    });
    // What ApplicationLoadBalancer.logAccessLogs would add, here where the bucket lives.
    this.logBucket.addToResourcePolicy(
      new PolicyStatement({
        actions: ['s3:PutObject'],
        principals: [elbLogWriter(settings.region)],
        resources: [this.logBucket.arnForObjects(`${ALB_LOG_PREFIX}/AWSLogs/${this.account}/*`)],
      }),
    );
    const logDelivery = new ServicePrincipal('delivery.logs.amazonaws.com');
    this.logBucket.addToResourcePolicy(
      new PolicyStatement({
        actions: ['s3:PutObject'],
        principals: [logDelivery],
        resources: [this.logBucket.arnForObjects(`${ALB_LOG_PREFIX}/AWSLogs/${this.account}/*`)],
        conditions: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } },
      }),
    );
    this.logBucket.addToResourcePolicy(
      new PolicyStatement({
        actions: ['s3:GetBucketAcl'],
        principals: [logDelivery],
        resources: [this.logBucket.bucketArn],
      }),
    );

    this.bucket = new Bucket(this, 'Data', {
      bucketName: dataBucketName(settings),
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 's3/',
      ...(settings.objectLock
        ? {
            objectLockEnabled: true,
            objectLockDefaultRetention:
              settings.objectLock.mode === 'COMPLIANCE'
                ? ObjectLockRetention.compliance(Duration.days(settings.objectLock.days))
                : ObjectLockRetention.governance(Duration.days(settings.objectLock.days)),
          }
        : {}),
      // One expiration per prefix the retention settings limit, as `npm run provision` sets them.
      lifecycleRules: [
        ...retentionOf(settings)
          .prefixExpiries()
          .map((e) => ({
            id: e.id,
            prefix: e.prefix,
            expiration: Duration.days(e.days),
            noncurrentVersionExpiration: Duration.days(1),
          })),
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.catalog = new RawCatalog(this, 'RawCatalog', {
      bucket: this.bucket,
      databaseName: settings.name.replace(/-/g, '_'),
      firstDay: settings.athenaFirstDay,
    });

    this.table = new Table(this, 'Index', {
      tableName: tableName(settings),
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TTL_ATTRIBUTE,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const g of GSI) {
      this.table.addGlobalSecondaryIndex({
        indexName: g,
        partitionKey: { name: `${g}pk`, type: AttributeType.STRING },
        sortKey: { name: `${g}sk`, type: AttributeType.STRING },
        projectionType: ProjectionType.ALL,
      });
    }

    this.deadLetterQueue = new Queue(this, 'ReplayDeadLetters', {
      queueName: deadLetterQueueName(settings),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: DLQ_RETENTION,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const deadLetterQueue: DeadLetterQueue = {
      queue: this.deadLetterQueue,
      maxReceiveCount: defaults.QUEUE_MAX_RECEIVE_COUNT,
    };
    this.queue = new Queue(this, 'Replay', {
      queueName: queueName(settings),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: QUEUE_VISIBILITY,
      deadLetterQueue,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}

/** Who writes ALB access logs: the region's ELB account, or the log-delivery service in newer regions. */
function elbLogWriter(region: string): IPrincipal {
  const account = RegionInfo.get(region).elbv2Account;
  return account
    ? new AccountPrincipal(account)
    : new ServicePrincipal('logdelivery.elasticloadbalancing.amazonaws.com');
}
