// The processor's metrics (docs/processor.md): messages by outcome, integrity errors, versions per
// aggregator, batch time, and what it reads per message (table items, raw bytes).
import { Injectable } from '@nestjs/common';
import { MetricSet } from '../shared/metrics/metric-set';

export type MessageOutcome = 'versioned' | 'unchanged' | 'integrity_error' | 'invalid' | 'failed';

@Injectable()
export class ProcessorMetrics extends MetricSet {
  readonly messages = this.metrics.counter<{ outcome: MessageOutcome }>({
    name: 'pipescope_processor_messages_total',
    help: 'Replay messages handled by the processor, by outcome',
    labelNames: ['outcome'],
    emf: { metric: 'ProcessorMessages', dimensions: ['outcome'] },
  });
  readonly integrityErrors = this.metrics.counter<{ reason: string }>({
    name: 'pipescope_processor_integrity_errors_total',
    help: 'Messages whose raw object did not match the message or the index, by reason',
    labelNames: ['reason'],
    emf: { metric: 'ProcessorIntegrityErrors', dimensions: ['reason'] },
  });
  /** `aggregate` (the aggregator's name, from code, so bounded) is an EMF dimension only. */
  readonly versions = this.metrics.counter<{ aggregate: string }>({
    name: 'pipescope_processor_versions_total',
    help: 'Aggregate versions written',
    emf: { metric: 'AggregateVersions', dimensions: ['aggregate'] },
  });
  readonly indexItemsRead = this.metrics.counter({
    name: 'pipescope_processor_index_items_read_total',
    help: 'DynamoDB items the processor read: indexed events, latest pointers, contributions',
    emf: { metric: 'ProcessorIndexItemsRead', dimensions: [] },
  });
  readonly rawBytes = this.metrics.counter({
    name: 'pipescope_processor_raw_bytes_read_total',
    help: 'Bytes of raw events the processor read from S3',
    emf: { metric: 'ProcessorRawBytesRead', dimensions: [] },
  });
  readonly duration = this.metrics.histogram({
    name: 'pipescope_processor_batch_duration_seconds',
    help: 'Time to process one batch of messages',
    unit: 'Seconds',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });

  message(outcome: MessageOutcome): void {
    this.messages.inc({ outcome });
  }

  integrityError(reason: string): void {
    this.integrityErrors.inc({ reason });
  }

  version(aggregator: string): void {
    this.versions.inc({ aggregate: aggregator });
  }

  itemsRead(n: number): void {
    if (n > 0) this.indexItemsRead.inc(n);
  }

  rawBytesRead(n: number): void {
    if (n > 0) this.rawBytes.inc(n);
  }
}
