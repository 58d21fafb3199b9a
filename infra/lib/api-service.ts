// The API on ECS Fargate behind an Application Load Balancer: the image from the repo's Dockerfile
// (ContainerImage.fromAsset stages the build context at synth; docker builds it at deploy), health
// checks on /health/ready, API_KEYS from Secrets Manager, PROCESSOR_ENABLED=false (the Lambda consumes).
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { FlowLogDestination, GatewayVpcEndpointAwsService, SubnetType, Vpc } from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import {
  Cluster,
  ContainerImage,
  ContainerInsights,
  CpuArchitecture,
  FargateTaskDefinition,
  LogDrivers,
  OperatingSystemFamily,
  Secret as EcsSecret,
} from 'aws-cdk-lib/aws-ecs';
import { ApplicationLoadBalancedFargateService } from 'aws-cdk-lib/aws-ecs-patterns';
import { ApplicationProtocol, SslPolicy } from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ALB_LOG_PREFIX } from './data-resources';
import { acknowledgeGrantWildcards } from './nag-suppressions';
import { API_GRANTS, GrantResources, statementsFor } from './permissions';
import { retentionEnvironment, type Settings } from './settings';

export const API_PORT = 3000;
export const READY_PATH = '/health/ready';

/** The API image: the repo's Dockerfile, built by docker at deploy (synth stages the context only). */
export function imageFromRepo(repoRoot: string): ContainerImage {
  return ContainerImage.fromAsset(repoRoot, { file: 'Dockerfile', platform: Platform.LINUX_AMD64 });
}

export interface ApiServiceProps extends GrantResources {
  image: ContainerImage;
  logBucket: IBucket;
  settings: Settings;
}

export class ApiService extends Construct {
  readonly service: ApplicationLoadBalancedFargateService;
  readonly vpc: Vpc;

  constructor(scope: Construct, id: string, props: ApiServiceProps) {
    super(scope, id);
    const { settings } = props;

    this.vpc = new Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 1,
      subnetConfiguration: [
        { name: 'public', subnetType: SubnetType.PUBLIC },
        { name: 'app', subnetType: SubnetType.PRIVATE_WITH_EGRESS },
      ],
      // S3 and DynamoDB traffic stays off the NAT gateway (gateway endpoints cost nothing).
      gatewayEndpoints: {
        s3: { service: GatewayVpcEndpointAwsService.S3 },
        dynamodb: { service: GatewayVpcEndpointAwsService.DYNAMODB },
      },
    });
    this.vpc.addFlowLog('FlowLogs', {
      destination: FlowLogDestination.toCloudWatchLogs(
        new LogGroup(this, 'FlowLogGroup', {
          retention: RetentionDays.ONE_MONTH,
          removalPolicy: RemovalPolicy.DESTROY,
        }),
      ),
    });

    const cluster = new Cluster(this, 'Cluster', {
      vpc: this.vpc,
      containerInsightsV2: ContainerInsights.ENABLED,
    });

    const taskDefinition = new FargateTaskDefinition(this, 'Task', {
      cpu: 512,
      memoryLimitMiB: 1024,
      runtimePlatform: {
        cpuArchitecture: CpuArchitecture.X86_64,
        operatingSystemFamily: OperatingSystemFamily.LINUX,
      },
    });
    for (const s of statementsFor(API_GRANTS, props)) taskDefinition.addToTaskRolePolicy(s);
    acknowledgeGrantWildcards(taskDefinition.taskRole, API_GRANTS, props);

    const apiKeys = Secret.fromSecretNameV2(this, 'ApiKeys', settings.apiKeysSecretName);
    const logGroup = new LogGroup(this, 'Logs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    taskDefinition.addContainer('api', {
      image: props.image,
      // The image's `node` user (uid 1000); nothing is written to the root filesystem.
      user: '1000',
      readonlyRootFilesystem: true,
      portMappings: [{ containerPort: API_PORT }],
      environment: {
        PIPESCOPE_MODE: 'aws',
        AWS_REGION: Stack.of(this).region,
        PIPESCOPE_BUCKET: props.bucket.bucketName,
        PIPESCOPE_TABLE: props.table.tableName,
        PIPESCOPE_QUEUE: props.queue.queueName,
        PROCESSOR_ENABLED: 'false',
        PORT: String(API_PORT),
        HOST: '0.0.0.0',
        LOG_LEVEL: 'info',
        ...retentionEnvironment(settings),
      },
      secrets: { API_KEYS: EcsSecret.fromSecretsManager(apiKeys) },
      logging: LogDrivers.awsLogs({ streamPrefix: 'api', logGroup }),
      // SIGTERM drains in-flight requests; ECS kills after this.
      stopTimeout: Duration.seconds(30),
    });

    const certificate = settings.certificateArn
      ? Certificate.fromCertificateArn(this, 'Certificate', settings.certificateArn)
      : undefined;
    this.service = new ApplicationLoadBalancedFargateService(this, 'Service', {
      cluster,
      taskDefinition,
      desiredCount: settings.apiDesiredCount,
      publicLoadBalancer: true,
      ...(certificate
        ? {
            certificate,
            protocol: ApplicationProtocol.HTTPS,
            redirectHTTP: true,
            sslPolicy: SslPolicy.RECOMMENDED_TLS,
          }
        : { protocol: ApplicationProtocol.HTTP }),
      taskSubnets: { subnetType: SubnetType.PRIVATE_WITH_EGRESS },
      healthCheckGracePeriod: Duration.seconds(60),
      circuitBreaker: { rollback: true },
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
    });
    this.service.targetGroup.configureHealthCheck({
      path: READY_PATH,
      healthyHttpCodes: '200',
      interval: Duration.seconds(15),
      timeout: Duration.seconds(5),
      healthyThresholdCount: 2,
      unhealthyThresholdCount: 3,
    });
    this.service.targetGroup.setAttribute('deregistration_delay.timeout_seconds', '30');
    this.service.loadBalancer.logAccessLogs(props.logBucket, ALB_LOG_PREFIX);

    const scaling = this.service.service.autoScaleTaskCount({
      minCapacity: settings.apiDesiredCount,
      maxCapacity: settings.apiMaxCount,
    });
    scaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 60 });

    Validations.of(taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason:
        'Only non-secret settings (names, mode, port) are plain variables; API_KEYS comes from Secrets Manager.',
    });
    Validations.of(taskDefinition.obtainExecutionRole()).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ecr:GetAuthorizationToken, which ECS needs to pull the image, has no resource-level permissions.',
    });
    Validations.of(this.service.loadBalancer).acknowledge({
      id: 'AwsSolutions-EC23',
      reason:
        'The public API for producers and investigators: the listener port is open to all, API keys guard it.',
    });
  }
}
