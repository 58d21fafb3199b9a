// The synthesized CloudFormation of both stacks, property by property, and cdk-nag's AwsSolutions
// checks. The CDK's own template validation (slow to start) runs on the main synth only.
import { App, Token, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ContainerImage } from 'aws-cdk-lib/aws-ecs';
import { Code } from 'aws-cdk-lib/aws-lambda';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GSI } from '../../src/shared/aws/table-keys';
import { Env } from '../../src/shared/config/env.config';
import { imageFromRepo } from '../lib/api-service';
import { API_GRANTS, PROCESSOR_GRANTS } from '../lib/permissions';
import { buildPipescope, createApp, PipescopeStacks } from '../lib/pipescope-app';
import { PROCESSOR_HANDLER } from '../lib/processor-function';
import { DEFAULT_SETTINGS, readSettings } from '../lib/settings';
import { StatefulStack } from '../lib/stateful-stack';

const REPO = join(__dirname, '../..');
const defaults = new Env();

type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string };

function build(): { app: App; stacks: PipescopeStacks } {
  const app = createApp();
  const stacks = buildPipescope(app, {
    apiImage: imageFromRepo(REPO),
    processorCode: Code.fromAsset(join(__dirname, 'fixtures/processor')),
  });
  return { app, stacks };
}

const one = (t: Template, type: string, props: Record<string, unknown> = {}): Resource => {
  const found = Object.values(t.findResources(type, props ? { Properties: Match.objectLike(props) } : {}));
  expect(found).toHaveLength(1);
  return found[0] as Resource;
};

/** Every action an Allow statement grants in a template: role policies and resource policies. */
function actionsIn(t: Template): string[] {
  const actions: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const statement = node as { Effect?: string; Action?: unknown };
      if (statement.Effect === 'Allow' && statement.Action)
        actions.push(...[statement.Action].flat().map(String));
      else Object.values(node).forEach(walk);
    }
  };
  walk(t.toJSON());
  return actions;
}

/** The actions of the inline policy attached to the role whose logical id starts with `rolePrefix`. */
function roleActions(t: Template, rolePrefix: string): string[] {
  const policies = Object.values(t.findResources('AWS::IAM::Policy')) as Resource[];
  const mine = policies.filter((p) =>
    (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref.startsWith(rolePrefix)),
  );
  expect(mine).toHaveLength(1);
  const statements = (mine[0].Properties.PolicyDocument as { Statement: { Action: string | string[] }[] })
    .Statement;
  return statements.flatMap((s) => [s.Action].flat());
}

describe('infra (CDK)', () => {
  let app: App;
  let stacks: PipescopeStacks;
  let data: Template;
  let service: Template;

  beforeAll(() => {
    ({ app, stacks } = build());
    data = Template.fromStack(stacks.stateful);
    service = Template.fromStack(stacks.stateless);
  });

  describe('stateful stack', () => {
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
      expect(JSON.stringify(data.findResources('AWS::S3::BucketPolicy'))).toContain(
        'logging.s3.amazonaws.com',
      );
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
          ExpirationInDays: DEFAULT_SETTINGS.rejectedExpirationDays,
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
      const lockApp = createApp({
        builtinCloudFormationValidation: false,
        context: { 'pipescope:objectLockMode': mode, 'pipescope:objectLockDays': 30 },
      });
      const stack = new StatefulStack(lockApp, 'Locked', {
        settings: readSettings((key) => lockApp.node.tryGetContext(key)),
      });
      const bucket = one(Template.fromStack(stack), 'AWS::S3::Bucket', {
        VersioningConfiguration: { Status: 'Enabled' },
      });
      expect(bucket.Properties).toMatchObject({
        ObjectLockEnabled: true,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: mode, Days: 30 } },
        },
      });
    });
  });

  describe('stateless stack', () => {
    it('runs the processor Lambda on nodejs24.x with the compiled handler, inside the queue timeout', () => {
      const fn = one(service, 'AWS::Lambda::Function', { Handler: PROCESSOR_HANDLER });
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Timeout: 30,
        Environment: {
          Variables: {
            PIPESCOPE_TABLE: 'pipescope',
            PIPESCOPE_QUEUE: 'pipescope-replay',
            S3_FORCE_PATH_STYLE: 'false',
          },
        },
      });
      expect((fn.Properties.Environment as { Variables: object }).Variables).not.toHaveProperty('API_KEYS');
    });

    it('feeds it from the replay queue with ReportBatchItemFailures and bounded concurrency', () => {
      const mapping = one(service, 'AWS::Lambda::EventSourceMapping');
      expect(mapping.Properties).toMatchObject({
        BatchSize: 10,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: DEFAULT_SETTINGS.processorMaxConcurrency },
      });
      expect(JSON.stringify(mapping.Properties.EventSourceArn)).toContain(':pipescope-replay"');
    });

    it('runs the API on Fargate from the repo Dockerfile in aws mode, keys from Secrets Manager', () => {
      const task = one(service, 'AWS::ECS::TaskDefinition');
      const [container] = task.Properties.ContainerDefinitions as Record<string, unknown>[];
      expect(container).toMatchObject({
        User: '1000',
        ReadonlyRootFilesystem: true,
        PortMappings: [{ ContainerPort: 3000 }],
        Secrets: [{ Name: 'API_KEYS', ValueFrom: expect.anything() }],
      });
      expect(JSON.stringify(container.Secrets)).toContain(':secret:pipescope/api-keys');
      expect(JSON.stringify(container.Image)).toContain('cdk-hnb659fds-container-assets');
      const env = Object.fromEntries(
        (container.Environment as { Name: string; Value: unknown }[]).map((e) => [e.Name, e.Value]),
      );
      expect(env).toMatchObject({
        PIPESCOPE_MODE: 'aws',
        PIPESCOPE_TABLE: 'pipescope',
        PIPESCOPE_QUEUE: 'pipescope-replay',
        PROCESSOR_ENABLED: 'false',
      });
      expect(env).not.toHaveProperty('API_KEYS');
      expect(JSON.stringify(env.PIPESCOPE_BUCKET)).toContain('pipescope-data-');
      // The image asset is the repo's Dockerfile; synth only staged its context (.dockerignore applied).
      const assembly = app.synth();
      const manifest = JSON.parse(
        readFileSync(join(assembly.directory, `${stacks.stateless.artifactId}.assets.json`), 'utf8'),
      ) as { dockerImages: Record<string, { source: { directory: string; dockerFile: string } }> };
      const [image] = Object.values(manifest.dockerImages);
      expect(image.source.dockerFile).toBe('Dockerfile');
      const context = readdirSync(join(assembly.directory, image.source.directory));
      expect(context).toEqual(
        expect.arrayContaining(['Dockerfile', 'package-lock.json', 'src', 'tsconfig.build.json']),
      );
      for (const kept of ['node_modules', 'dist', 'infra', 'test', '.git'])
        expect(context).not.toContain(kept);
    });

    it('puts an internet-facing load balancer in front, health-checked on /health/ready', () => {
      one(service, 'AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internet-facing' });
      one(service, 'AWS::ElasticLoadBalancingV2::TargetGroup', {
        HealthCheckPath: '/health/ready',
        Port: 80,
        TargetType: 'ip',
      });
      one(service, 'AWS::ElasticLoadBalancingV2::Listener', { Port: 80, Protocol: 'HTTP' });
      one(service, 'AWS::ECS::Service', {
        DesiredCount: DEFAULT_SETTINGS.apiDesiredCount,
        DeploymentConfiguration: Match.objectLike({
          DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        }),
      });
    });

    it('listens on HTTPS with a certificate, redirecting HTTP', () => {
      const tls = createApp({
        builtinCloudFormationValidation: false,
        context: {
          'pipescope:certificateArn': 'arn:aws:acm:us-east-1:111122223333:certificate/0f0e0d0c-1234',
        },
      });
      const { stateless } = buildPipescope(tls, {
        apiImage: imageFromRepo(REPO),
        processorCode: Code.fromAsset(join(__dirname, 'fixtures/processor')),
      });
      const t = Template.fromStack(stateless);
      one(t, 'AWS::ElasticLoadBalancingV2::Listener', {
        Port: 443,
        Protocol: 'HTTPS',
        Certificates: [{ CertificateArn: 'arn:aws:acm:us-east-1:111122223333:certificate/0f0e0d0c-1234' }],
      });
      one(t, 'AWS::ElasticLoadBalancingV2::Listener', {
        Port: 80,
        DefaultActions: [
          Match.objectLike({ Type: 'redirect', RedirectConfig: Match.objectLike({ Port: '443' }) }),
        ],
      });
    });

    it('gives each role exactly the actions of its grant list, never a wildcard action', () => {
      // (Deny statements such as enforceSSL's `s3:*` deny are not grants.)
      const expected = (grants: typeof API_GRANTS) => [...new Set(grants.flatMap((g) => g.actions))].sort();
      expect([...new Set(roleActions(service, 'ApiTaskTaskRole'))].sort()).toEqual(expected(API_GRANTS));
      const lambda = roleActions(service, 'ProcessorRole').filter((a) => !a.startsWith('logs:'));
      expect([...new Set(lambda)].sort()).toEqual(expected(PROCESSOR_GRANTS));
      for (const action of [...actionsIn(data), ...actionsIn(service)]) {
        expect(action).not.toMatch(/\*/);
      }
    });

    it('alarms on dead letters, p99 lag, reject rate, storage errors and API 5xx', () => {
      const alarm = (props: Record<string, unknown>) => {
        const found = one(service, 'AWS::CloudWatch::Alarm', props);
        expect(found.Properties.AlarmActions).toHaveLength(1);
        return found;
      };
      alarm({
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: 'pipescope-replay-dlq' }],
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
      const lag = alarm({ Namespace: 'pipescope', MetricName: 'IngestLag', ExtendedStatistic: 'p99' });
      expect(lag.Properties.Threshold).toBe(defaults.LATE_THRESHOLD_MS);
      expect(lag.Properties.Dimensions).toBeUndefined();
      const reject = alarm({ Threshold: DEFAULT_SETTINGS.rejectRatePercent });
      expect(JSON.stringify(reject.Properties.Metrics)).toContain('EventsRejected');
      alarm({ Namespace: 'pipescope', MetricName: 'StorageErrors', Statistic: 'Sum' });
      alarm({ Namespace: 'AWS/ApplicationELB', MetricName: 'HTTPCode_Target_5XX_Count' });
      alarm({ Namespace: 'AWS/ApplicationELB', MetricName: 'HTTPCode_ELB_5XX_Count' });
    });

    it('draws a dashboard of the EMF metrics next to queue, Lambda and load balancer metrics', () => {
      const body = JSON.stringify(one(service, 'AWS::CloudWatch::Dashboard').Properties.DashboardBody);
      for (const metric of [
        'EventsAccepted',
        'EventsRejected',
        'IngestLag',
        'StorageErrors',
        'ProcessorMessages',
        'ApproximateNumberOfMessagesVisible',
        'HTTPCode_Target_5XX_Count',
      ]) {
        expect(body).toContain(metric);
      }
    });
  });

  it('synthesizes without an AWS account, context lookups or docker', () => {
    const assembly = app.synth();
    expect(assembly.manifest.missing ?? []).toEqual([]);
    for (const stack of [stacks.stateful, stacks.stateless]) {
      expect(Token.isUnresolved(stack.account)).toBe(true);
      expect(stack.region).toBe('us-east-1');
    }
  });

  it('passes the AwsSolutions checks, every acknowledged finding with its reason', () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(report.violations.map((v) => `${v.ruleName} ${v.violatingResources[0].constructPath}`)).toEqual(
      [],
    );
    const acknowledged = app.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((m) => Object.values(m.data as Record<string, string>));
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const reason of acknowledged) expect(String(reason).length).toBeGreaterThan(30);
  });

  it('fails the synth on a finding nobody acknowledged', () => {
    const probe = createApp({ builtinCloudFormationValidation: false });
    const probed = buildPipescope(probe, {
      apiImage: ContainerImage.fromRegistry('pipescope:probe'),
      processorCode: Code.fromAsset(join(__dirname, 'fixtures/processor')),
    });
    new Bucket(probed.stateful, 'Open');
    expect(() => probe.synth()).toThrow(/AwsSolutions-S10/);
  });
});
