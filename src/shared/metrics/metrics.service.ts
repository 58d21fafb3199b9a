// Process metrics: Prometheus text for GET /metrics and CloudWatch EMF lines in the log, both fed by
// the same calls. EMF is aggregated and flushed every METRICS_FLUSH_MS, never written per event.
import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { Env } from '../config/env.config';
import { EmfAggregator, EmfUnit } from './emf';
import { LAG_BUCKETS_MS } from './lag-histogram';

export type IngestOutcome = 'accepted' | 'duplicate' | 'conflict' | 'rejected' | 'failed';

const OUTCOME_METRIC: Record<IngestOutcome, string> = {
  accepted: 'EventsAccepted',
  duplicate: 'EventsDuplicate',
  conflict: 'EventsConflict',
  rejected: 'EventsRejected',
  failed: 'EventsFailed',
};

@Injectable()
export class MetricsService implements OnModuleInit, OnApplicationShutdown {
  readonly registry = new Registry();
  private readonly emf = new EmfAggregator();
  private timer?: NodeJS.Timeout;
  /** Where EMF lines go; stdout in production, replaceable in tests. */
  emfSink: (line: string) => void = (line) => process.stdout.write(`${line}\n`);

  readonly events = new Counter({
    name: 'pipescope_events_total',
    help: 'Events submitted, by source, type and outcome',
    labelNames: ['source', 'type', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly lag = new Histogram({
    name: 'pipescope_ingest_lag_seconds',
    help: 'received_at - occurred_at of accepted events',
    labelNames: ['source'] as const,
    buckets: LAG_BUCKETS_MS.filter((b) => Number.isFinite(b)).map((b) => b / 1000),
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'pipescope_http_request_duration_seconds',
    help: 'HTTP request duration by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly storageErrors = new Counter({
    name: 'pipescope_storage_errors_total',
    help: 'Storage calls that failed as unavailable, by dependency and operation',
    labelNames: ['dependency', 'operation'] as const,
    registers: [this.registry],
  });
  readonly storageCalls = new Counter({
    name: 'pipescope_storage_calls_total',
    help: 'Storage calls by dependency, operation and outcome (ok, refused, unavailable, timeout, cancelled)',
    labelNames: ['dependency', 'operation', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly counterWriteFailures = new Counter({
    name: 'pipescope_counter_write_failures_total',
    help: 'Stats counter updates that failed after the events themselves were stored',
    registers: [this.registry],
  });

  constructor(private readonly env: Env) {
    collectDefaultMetrics({ register: this.registry, prefix: 'pipescope_' });
  }

  onModuleInit(): void {
    this.timer = setInterval(() => this.flushEmf(), this.env.METRICS_FLUSH_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
    this.flushEmf();
  }

  ingest(source: string, type: string, outcome: IngestOutcome, count = 1): void {
    this.events.inc({ source, type, outcome }, count);
    this.emf.add({ source, type }, OUTCOME_METRIC[outcome], 'Count', count);
  }

  ingestLag(source: string, type: string, lagMs: number): void {
    this.lag.observe({ source }, Math.max(0, lagMs) / 1000);
    this.emf.add({ source, type }, 'IngestLag', 'Milliseconds', Math.max(0, lagMs));
  }

  storageError(dependency: string, operation: string): void {
    this.storageErrors.inc({ dependency, operation });
    this.emf.add({ dependency }, 'StorageErrors', 'Count', 1);
  }

  /** For other modules' metrics (replay, processor) that go to EMF with their own dimensions. */
  emfAdd(dimensions: Record<string, string>, metric: string, unit: EmfUnit, value: number): void {
    this.emf.add(dimensions, metric, unit, value);
  }

  flushEmf(): void {
    for (const doc of this.emf.drain()) this.emfSink(JSON.stringify(doc));
  }

  async prometheusText(): Promise<string> {
    return this.registry.metrics();
  }
}
