// CloudWatch for pipescope: a dashboard of the EMF metrics (docs/metrics.md; namespace `pipescope`,
// each metric also published without dimensions as the service-wide rollup) next to the AWS metrics of
// the queue, the function and the load balancer, and the alarms an on-call engineer is paged by.
import { Duration, Validations } from 'aws-cdk-lib';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  IMetric,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ApplicationLoadBalancedFargateService } from 'aws-cdk-lib/aws-ecs-patterns';
import { HttpCodeElb, HttpCodeTarget } from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EMF_NAMESPACE } from '../../src/shared/metrics/emf';
import type { Settings } from './settings';

/** Outcome metrics of ingest, as src/shared/metrics/metrics.service.ts names them. */
export const INGEST_OUTCOME_METRICS = [
  'EventsAccepted',
  'EventsDuplicate',
  'EventsConflict',
  'EventsRejected',
  'EventsFailed',
] as const;
export const STORAGE_DEPENDENCIES = ['s3', 'dynamodb', 'sqs'] as const;
export const PROCESSOR_OUTCOMES = ['versioned', 'unchanged', 'integrity_error', 'invalid', 'failed'] as const;
/** Storage calls failing as unavailable in 5 minutes before someone is paged (blips retry fine). */
export const STORAGE_ERRORS_THRESHOLD = 10;
/** Load balancer 5xx answers in 5 minutes before someone is paged. */
export const API_5XX_THRESHOLD = 10;

const FIVE_MINUTES = Duration.minutes(5);

/** An EMF metric: without dimensions = the service-wide rollup. */
export function emfMetric(name: string, statistic: string, dimensions?: Record<string, string>): Metric {
  return new Metric({
    namespace: EMF_NAMESPACE,
    metricName: name,
    statistic,
    period: FIVE_MINUTES,
    ...(dimensions ? { dimensionsMap: dimensions } : {}),
  });
}

/** Every (source, type) series of one EMF metric, found at view time. */
function perSource(name: string, statistic: string): MathExpression {
  return new MathExpression({
    expression: `SEARCH('{${EMF_NAMESPACE},source,type} MetricName="${name}"', '${statistic}', 300)`,
    usingMetrics: {},
    label: name,
    period: FIVE_MINUTES,
  });
}

export interface MonitoringProps {
  settings: Settings;
  queue: IQueue;
  deadLetterQueue: IQueue;
  processor: IFunction;
  api: ApplicationLoadBalancedFargateService;
}

export class Monitoring extends Construct {
  readonly dashboard: Dashboard;
  readonly topic: Topic;
  readonly alarms: Record<string, Alarm> = {};

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const { settings, api } = props;

    this.topic = new Topic(this, 'AlarmTopic', { enforceSSL: true });
    Validations.of(this.topic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'Alarm notifications carry alarm names and states, no event data; a KMS key would add a key policy ' +
        'with wildcard actions for no protected content.',
    });
    if (settings.alarmEmail) this.topic.addSubscription(new EmailSubscription(settings.alarmEmail));
    const action = new SnsAction(this.topic);

    const outcomes = Object.fromEntries(
      INGEST_OUTCOME_METRICS.map((m) => [m.replace('Events', '').toLowerCase(), emfMetric(m, 'Sum')]),
    );
    const rejectRate = new MathExpression({
      label: 'reject rate (%)',
      expression:
        '100 * FILL(rejected, 0) / (FILL(accepted, 0) + FILL(duplicate, 0) + FILL(conflict, 0) + FILL(rejected, 0) + FILL(failed, 0))',
      usingMetrics: outcomes,
      period: FIVE_MINUTES,
    });
    const lagP99 = emfMetric('IngestLag', 'p99');
    const storageErrors = emfMetric('StorageErrors', 'Sum');
    const dlqDepth = props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
      statistic: 'Maximum',
      period: Duration.minutes(1),
    });
    const target5xx = api.targetGroup.metrics.httpCodeTarget(HttpCodeTarget.TARGET_5XX_COUNT, {
      statistic: 'Sum',
      period: FIVE_MINUTES,
    });
    const elb5xx = api.loadBalancer.metrics.httpCodeElb(HttpCodeElb.ELB_5XX_COUNT, {
      statistic: 'Sum',
      period: FIVE_MINUTES,
    });

    const alarm = (id: string, metric: IMetric, threshold: number, description: string): Alarm => {
      const a = new Alarm(this, id, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      a.addAlarmAction(action);
      a.addOkAction(action);
      this.alarms[id] = a;
      return a;
    };
    alarm(
      'DeadLetters',
      dlqDepth,
      0,
      'Replay messages in the dead-letter queue: the processor gave up on them (docs/processor.md).',
    );
    alarm(
      'LagP99',
      lagP99,
      settings.lagP99ThresholdMs,
      `p99 ingest lag (received_at - occurred_at) over ${settings.lagP99ThresholdMs} ms for 5 minutes.`,
    );
    alarm(
      'RejectRate',
      rejectRate,
      settings.rejectRatePercent,
      `More than ${settings.rejectRatePercent}% of submissions rejected in 5 minutes (GET /rejected says why).`,
    );
    alarm(
      'StorageErrors',
      storageErrors,
      STORAGE_ERRORS_THRESHOLD,
      'S3, DynamoDB or SQS failing as unavailable: producers get 503 with Retry-After.',
    );
    alarm('Api5xxTarget', target5xx, API_5XX_THRESHOLD, 'The API answered 5xx (503 = storage unavailable).');
    alarm(
      'Api5xxLoadBalancer',
      elb5xx,
      API_5XX_THRESHOLD,
      'The load balancer answered 5xx (no healthy task?).',
    );
    alarm(
      'ProcessorErrors',
      props.processor.metricErrors({ statistic: 'Sum', period: FIVE_MINUTES }),
      0,
      'The processor Lambda failed whole invocations (boot failure or timeout), not single messages.',
    );

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: settings.name,
      defaultInterval: Duration.hours(3),
    });
    const graph = (title: string, left: IMetric[], right: IMetric[] = []) =>
      new GraphWidget({ title, left, right, width: 12, height: 6 });
    this.dashboard.addWidgets(
      new AlarmStatusWidget({ title: 'Alarms', alarms: Object.values(this.alarms), width: 24, height: 3 }),
    );
    this.dashboard.addWidgets(
      graph(
        'Ingest outcomes (all sources)',
        INGEST_OUTCOME_METRICS.map((m) => emfMetric(m, 'Sum')),
        [rejectRate],
      ),
      graph('Ingest lag (ms)', [emfMetric('IngestLag', 'p50'), lagP99, emfMetric('IngestLag', 'Maximum')]),
    );
    this.dashboard.addWidgets(
      graph('Accepted events by source and type', [perSource('EventsAccepted', 'Sum')]),
      graph('p99 ingest lag by source and type', [perSource('IngestLag', 'p99')]),
    );
    this.dashboard.addWidgets(
      graph(
        'Storage errors by dependency',
        STORAGE_DEPENDENCIES.map((d) => emfMetric('StorageErrors', 'Sum', { dependency: d })),
      ),
      graph(
        'Replay queue',
        [
          props.queue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES }),
          props.queue.metricApproximateNumberOfMessagesNotVisible({ period: FIVE_MINUTES }),
          dlqDepth,
        ],
        [props.queue.metricApproximateAgeOfOldestMessage({ period: FIVE_MINUTES })],
      ),
    );
    this.dashboard.addWidgets(
      graph(
        'Processor messages by outcome',
        PROCESSOR_OUTCOMES.map((o) => emfMetric('ProcessorMessages', 'Sum', { outcome: o })),
        [emfMetric('AggregateVersions', 'Sum', { aggregate: 'entity_hour' })],
      ),
      graph(
        'Processor Lambda',
        [
          props.processor.metricInvocations({ period: FIVE_MINUTES }),
          props.processor.metricErrors({ period: FIVE_MINUTES }),
          props.processor.metricThrottles({ period: FIVE_MINUTES }),
        ],
        [props.processor.metricDuration({ statistic: 'p99', period: FIVE_MINUTES })],
      ),
    );
    this.dashboard.addWidgets(
      graph(
        'API requests and errors',
        [api.loadBalancer.metrics.requestCount({ period: FIVE_MINUTES }), target5xx, elb5xx],
        [api.targetGroup.metrics.targetResponseTime({ statistic: 'p99', period: FIVE_MINUTES })],
      ),
      graph('API tasks', [
        api.service.metricCpuUtilization({ period: FIVE_MINUTES }),
        api.service.metricMemoryUtilization({ period: FIVE_MINUTES }),
      ]),
    );
  }
}
