// The dead-letter module's metrics, registered on the app's Prometheus registry and mirrored to EMF.
// The queue's depth itself is SQS's own CloudWatch metric (ApproximateNumberOfMessagesVisible).
import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsService } from '../shared/metrics/metrics.service';

@Injectable()
export class DlqMetrics {
  readonly messages: Counter<'action'>;

  constructor(private readonly metrics: MetricsService) {
    this.messages = new Counter({
      name: 'pipescope_dlq_messages_total',
      help: 'Dead-letter messages acted on by operators: redriven, redrive_failed, dropped',
      labelNames: ['action'] as const,
      registers: [metrics.registry],
    });
  }

  redriven(moved: number, failed: number): void {
    if (moved > 0) this.messages.inc({ action: 'redriven' }, moved);
    if (failed > 0) this.messages.inc({ action: 'redrive_failed' }, failed);
    this.metrics.emfAdd({ action: 'redriven' }, 'DeadLetterMessages', 'Count', moved);
    if (failed > 0) this.metrics.emfAdd({ action: 'redrive_failed' }, 'DeadLetterMessages', 'Count', failed);
  }

  dropped(): void {
    this.messages.inc({ action: 'dropped' });
    this.metrics.emfAdd({ action: 'dropped' }, 'DeadLetterMessages', 'Count', 1);
  }
}
