// Ingest's metrics (docs/metrics.md): submissions by outcome, lag, storage failures, lost counter updates.
import { Injectable } from '@nestjs/common';
import { LAG_BUCKETS_MS } from '../shared/metrics/lag-histogram';
import { MetricSet } from '../shared/metrics/metric-set';

export type IngestOutcome = 'accepted' | 'duplicate' | 'conflict' | 'rejected' | 'failed';

const OUTCOME_METRIC: Record<IngestOutcome, string> = {
  accepted: 'EventsAccepted',
  duplicate: 'EventsDuplicate',
  conflict: 'EventsConflict',
  rejected: 'EventsRejected',
  failed: 'EventsFailed',
};

@Injectable()
export class IngestMetrics extends MetricSet {
  readonly events = this.metrics.counter<{ source: string; type: string; outcome: IngestOutcome }>({
    name: 'pipescope_events_total',
    help: 'Events submitted, by source, type and outcome',
    labelNames: ['source', 'type', 'outcome'],
    clientLabels: ['source', 'type'],
    emf: { metric: (l) => OUTCOME_METRIC[l.outcome], dimensions: ['source', 'type'] },
  });
  /** Prometheus labels it by source only; EMF by source and type. */
  readonly lag = this.metrics.histogram<{ source: string; type: string }>({
    name: 'pipescope_ingest_lag_seconds',
    help: 'received_at - occurred_at of accepted events',
    labelNames: ['source'],
    clientLabels: ['source', 'type'],
    unit: 'Milliseconds',
    buckets: LAG_BUCKETS_MS.filter((b) => Number.isFinite(b)).map((b) => b / 1000),
    emf: { metric: 'IngestLag', dimensions: ['source', 'type'] },
  });
  readonly storageErrors = this.metrics.counter<{ dependency: string; operation: string }>({
    name: 'pipescope_storage_errors_total',
    help: 'Storage calls that failed as unavailable, by dependency and operation',
    labelNames: ['dependency', 'operation'],
    emf: { metric: 'StorageErrors', dimensions: ['dependency'] },
  });
  /** Not `..._counter_...`: promtool refuses a metric type in a metric name. */
  readonly statsWriteFailures = this.metrics.counter({
    name: 'pipescope_stats_write_failures_total',
    help: 'Stats counter updates that failed after the events themselves were stored',
  });

  ingest(source: string, type: string, outcome: IngestOutcome, count = 1): void {
    this.events.inc({ source, type, outcome }, count);
  }

  /** Future events (negative lag) count as 0. */
  ingestLag(source: string, type: string, lagMs: number): void {
    this.lag.observe({ source, type }, Math.max(0, lagMs));
  }

  storageError(dependency: string, operation: string): void {
    this.storageErrors.inc({ dependency, operation });
  }
}
