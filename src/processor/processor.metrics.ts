// The processor's metrics, registered on the app's Prometheus registry and mirrored to EMF.
import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { MetricsService } from '../shared/metrics/metrics.service';

export type MessageOutcome = 'versioned' | 'unchanged' | 'integrity_error' | 'invalid' | 'failed';

@Injectable()
export class ProcessorMetrics {
  readonly messages: Counter<'outcome'>;
  readonly integrityErrors: Counter<'reason'>;
  readonly versions: Counter;
  readonly duration: Histogram;

  constructor(private readonly metrics: MetricsService) {
    const registers = [metrics.registry];
    this.messages = new Counter({
      name: 'pipescope_processor_messages_total',
      help: 'Replay messages handled by the processor, by outcome',
      labelNames: ['outcome'] as const,
      registers,
    });
    this.integrityErrors = new Counter({
      name: 'pipescope_processor_integrity_errors_total',
      help: 'Messages whose raw object did not match the message or the index, by reason',
      labelNames: ['reason'] as const,
      registers,
    });
    this.versions = new Counter({
      name: 'pipescope_processor_versions_total',
      help: 'Aggregate versions written',
      registers,
    });
    this.duration = new Histogram({
      name: 'pipescope_processor_batch_duration_seconds',
      help: 'Time to process one batch of messages',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
  }

  message(outcome: MessageOutcome): void {
    this.messages.inc({ outcome });
    this.metrics.emfAdd({ outcome }, 'ProcessorMessages', 'Count', 1);
  }

  integrityError(reason: string): void {
    this.integrityErrors.inc({ reason });
    this.metrics.emfAdd({ reason }, 'ProcessorIntegrityErrors', 'Count', 1);
  }

  version(): void {
    this.versions.inc();
    this.metrics.emfAdd({ aggregate: 'entity_hour' }, 'AggregateVersions', 'Count', 1);
  }
}
