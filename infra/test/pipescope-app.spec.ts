// The whole app: the service stack's CloudFormation property by property (the data stack has its own
// spec), and cdk-nag's AwsSolutions checks on both stacks. The CDK's own template validation (slow to
// start) runs on the main synth only.
import { App, Token, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ContainerImage } from 'aws-cdk-lib/aws-ecs';
import { Code } from 'aws-cdk-lib/aws-lambda';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Env } from '../../src/shared/config/env.config';
import { imageFromRepo } from '../lib/api-service';
import { API_GRANTS, PROCESSOR_GRANTS } from '../lib/permissions';
import { buildPipescope, PipescopeStacks } from '../lib/pipescope-app';
import { PROCESSOR_HANDLER } from '../lib/processor-function';
import { DEFAULT_SETTINGS } from '../lib/settings';
import { actionsIn, one, Resource } from './template-helpers';

const REPO = join(__dirname, '../..');
const defaults = new Env();

function build(): { app: App; stacks: PipescopeStacks } {
  const app = new App();
  const stacks = buildPipescope(app, {
    apiImage: imageFromRepo(REPO),
    processorCode: Code.fromAsset(join(__dirname, 'fixtures/processor')),
  });
  return { app, stacks };
}

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
  let service: Template;

  beforeAll(() => {
    ({ app, stacks } = build());
    service = Template.fromStack(stacks.stateless);
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
      const tls = new App({
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
      for (const action of actionsIn(service)) {
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
    const probe = new App({ builtinCloudFormationValidation: false });
    const probed = buildPipescope(probe, {
      apiImage: ContainerImage.fromRegistry('pipescope:probe'),
      processorCode: Code.fromAsset(join(__dirname, 'fixtures/processor')),
    });
    new Bucket(probed.stateful, 'Open');
    expect(() => probe.synth()).toThrow(/AwsSolutions-S10/);
  });
});
