// The dead-letter module's metrics (docs/metrics.md). The queue's depth itself is SQS's own
// CloudWatch metric (ApproximateNumberOfMessagesVisible of the `-dlq` queue).
import { Injectable } from '@nestjs/common';
import { MetricSet } from '../shared/metrics/metric-set';

export type DeadLetterAction = 'redriven' | 'redrive_failed' | 'dropped';

@Injectable()
export class DlqMetrics extends MetricSet {
  readonly messages = this.metrics.counter<{ action: DeadLetterAction }>({
    name: 'pipescope_dlq_messages_total',
    help: 'Dead-letter messages acted on by operators: redriven, redrive_failed, dropped',
    labelNames: ['action'],
    emf: { metric: 'DeadLetterMessages', dimensions: ['action'] },
  });

  redriven(moved: number, failed: number): void {
    if (moved > 0) this.messages.inc({ action: 'redriven' }, moved);
    if (failed > 0) this.messages.inc({ action: 'redrive_failed' }, failed);
  }

  dropped(): void {
    this.messages.inc({ action: 'dropped' });
  }
}
