// The processor on Lambda: the compiled handler (dist/src/processor/processor.lambda.js) with its
// production node_modules, staged by scripts/stage-production.mjs. Not bundled with esbuild: esbuild
// does not emit decorator metadata, which Nest's dependency injection reads.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Architecture,
  Code,
  EventSourceMapping,
  Function as LambdaFunction,
  LoggingFormat,
  Runtime,
} from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeGrantWildcards } from './nag-suppressions';
import { GrantResources, PROCESSOR_GRANTS, statementsFor } from './permissions';
import { PROCESSOR_TIMEOUT } from './stateful-stack';

/** The handler inside the staged folder. */
export const PROCESSOR_HANDLER = 'dist/src/processor/processor.lambda.handler';
/** Messages per invocation: each message is independent, failures are reported per item. */
export const PROCESSOR_BATCH_SIZE = 10;

export interface ProcessorFunctionProps extends GrantResources {
  code: Code;
  maxConcurrency: number;
  /** The RETENTION_* variables (settings.ts, retentionEnvironment). */
  retention: Record<string, string>;
}

export class ProcessorFunction extends Construct {
  readonly fn: LambdaFunction;
  readonly role: Role;
  readonly mapping: EventSourceMapping;

  constructor(scope: Construct, id: string, props: ProcessorFunctionProps) {
    super(scope, id);
    const logGroup = new LogGroup(this, 'Logs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // An explicit role instead of AWSLambdaBasicExecutionRole: logs only to its own group.
    this.role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    this.role.addToPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    for (const s of statementsFor(PROCESSOR_GRANTS, props)) this.role.addToPolicy(s);
    acknowledgeGrantWildcards(this.role, PROCESSOR_GRANTS, props);

    this.fn = new LambdaFunction(this, 'Function', {
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      handler: PROCESSOR_HANDLER,
      code: props.code,
      role: this.role,
      logGroup,
      loggingFormat: LoggingFormat.TEXT,
      memorySize: 1024,
      timeout: PROCESSOR_TIMEOUT,
      description: 'pipescope replay-queue processor (src/processor/processor.lambda.ts)',
      environment: {
        PIPESCOPE_BUCKET: props.bucket.bucketName,
        PIPESCOPE_TABLE: props.table.tableName,
        PIPESCOPE_QUEUE: props.queue.queueName,
        // The Lambda serves no HTTP, so it leaves PIPESCOPE_MODE at its default: config validation
        // requires API_KEYS in aws mode only, and the API keys have no business in a function's
        // plain-text environment. The mode changes nothing else here but S3 addressing, set below.
        S3_FORCE_PATH_STYLE: 'false',
        LOG_LEVEL: 'info',
        NODE_OPTIONS: '--enable-source-maps',
        // DONE markers get their TTL from RETENTION_DONE_MARKERS_DAYS, lineage lives as long as its rule.
        ...props.retention,
      },
    });

    // The mapping's own construct (not SqsEventSource): that helper would also grant
    // sqs:ChangeMessageVisibility and sqs:GetQueueUrl, which nothing here sends.
    this.mapping = new EventSourceMapping(this, 'ReplayQueue', {
      target: this.fn,
      eventSourceArn: props.queue.queueArn,
      batchSize: PROCESSOR_BATCH_SIZE,
      maxBatchingWindow: Duration.seconds(1),
      reportBatchItemFailures: true,
      maxConcurrency: props.maxConcurrency,
    });
    // The role must be able to poll before the mapping is enabled.
    this.mapping.node.addDependency(this.role);
  }
}
