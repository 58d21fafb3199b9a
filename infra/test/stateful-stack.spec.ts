// The data stack's CloudFormation, property by property: bucket, table, queues, retention.
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { GSI } from '../../src/shared/aws/table-keys';
import { Env } from '../../src/shared/config/env.config';
import { DEFAULT_SETTINGS, readSettings } from '../lib/settings';
import { StatefulStack } from '../lib/stateful-stack';
import { actionsIn, one, Resource } from './template-helpers';

const defaults = new Env();
const synth = (context: Record<string, unknown> = {}): Template => {
  const app = new App({ builtinCloudFormationValidation: false, context });
  const settings = readSettings((key) => app.node.tryGetContext(key));
  return Template.fromStack(
    new StatefulStack(app, 'PipescopeData', { settings, env: { region: settings.region } }),
  );
};

describe('the data stack', () => {
  let data: Template;
  beforeAll(() => {
    data = synth();
  });

  it('keeps every resource when the stack is deleted', () => {
    const resources = Object.values(data.toJSON().Resources as Record<string, Resource>).filter((r) =>
      ['AWS::S3::Bucket', 'AWS::DynamoDB::Table', 'AWS::SQS::Queue'].includes(r.Type),
    );
    expect(resources).toHaveLength(5);
    for (const r of resources) expect(r.DeletionPolicy).toBe('Retain');
  });

  it('blocks public access, encrypts, versions and logs the data bucket, TLS only', () => {
    const bucket = one(data, 'AWS::S3::Bucket', { VersioningConfiguration: { Status: 'Enabled' } });
    expect(bucket.Properties).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      LoggingConfiguration: { LogFilePrefix: 's3/' },
    });
    expect(bucket.Properties.ObjectLockEnabled).toBeUndefined();
    // Server access logs arrive under the log bucket's policy (no ACLs: both buckets enforce ownership).
    const logBucket = one(data, 'AWS::S3::Bucket', {
      LifecycleConfiguration: Match.anyValue(),
      VersioningConfiguration: Match.absent(),
    });
    expect(logBucket.Properties.AccessControl).toBeUndefined();
    expect(JSON.stringify(data.findResources('AWS::S3::BucketPolicy'))).toContain('logging.s3.amazonaws.com');
    // enforceSSL: one Deny on aws:SecureTransport=false per bucket.
    const policies = Object.values(data.findResources('AWS::S3::BucketPolicy')) as Resource[];
    expect(policies).toHaveLength(2);
    for (const p of policies) {
      expect(JSON.stringify(p.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    }
  });

  it('expires rejected/ submissions by lifecycle', () => {
    const bucket = one(data, 'AWS::S3::Bucket', { VersioningConfiguration: { Status: 'Enabled' } });
    expect((bucket.Properties.LifecycleConfiguration as { Rules: unknown[] }).Rules).toContainEqual(
      expect.objectContaining({
        Prefix: 'rejected/',
        Status: 'Enabled',
        ExpirationInDays: DEFAULT_SETTINGS.retentionRejectedDays,
      }),
    );
  });

  it('defines the table as the provisioner does: keys, every GSI, on-demand, PITR, TTL, protected', () => {
    const table = one(data, 'AWS::DynamoDB::Table');
    expect(table.Properties).toMatchObject({
      TableName: 'pipescope',
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expires_at', Enabled: true },
      DeletionProtectionEnabled: true,
    });
    expect(table.Properties.GlobalSecondaryIndexes).toEqual(
      GSI.map((g) => ({
        IndexName: g,
        KeySchema: [
          { AttributeName: `${g}pk`, KeyType: 'HASH' },
          { AttributeName: `${g}sk`, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    );
  });

  it('redrives the replay queue to an encrypted, TLS-only dead-letter queue after QUEUE_MAX_RECEIVE_COUNT', () => {
    const dlq = one(data, 'AWS::SQS::Queue', { QueueName: 'pipescope-replay-dlq' });
    expect(dlq.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 });
    const main = one(data, 'AWS::SQS::Queue', { QueueName: 'pipescope-replay' });
    expect(main.Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 180,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [expect.stringMatching(/^ReplayDeadLetters/), 'Arn'] },
        maxReceiveCount: defaults.QUEUE_MAX_RECEIVE_COUNT,
      },
    });
    const policies = Object.values(data.findResources('AWS::SQS::QueuePolicy')) as Resource[];
    expect(policies).toHaveLength(2);
    for (const p of policies) {
      expect(JSON.stringify(p.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    }
  });

  it.each(['GOVERNANCE', 'COMPLIANCE'])('turns on Object Lock in %s mode for the days given', (mode) => {
    const bucket = one(
      synth({ 'pipescope:objectLockMode': mode, 'pipescope:objectLockDays': 30 }),
      'AWS::S3::Bucket',
      {
        VersioningConfiguration: { Status: 'Enabled' },
      },
    );
    expect(bucket.Properties).toMatchObject({
      ObjectLockEnabled: true,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: mode, Days: 30 } },
      },
    });
  });

  it('grants no wildcard action in its resource policies', () => {
    for (const action of actionsIn(data)) expect(action).not.toMatch(/\*/);
  });
});
