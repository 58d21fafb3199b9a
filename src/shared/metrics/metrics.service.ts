// The one metrics home: owns the Prometheus registry (GET /metrics) and the CloudWatch EMF aggregator
// (JSON lines in the log), and declares every metric on both. Features declare theirs in a
// `<feature>.metrics.ts` MetricSet. EMF is aggregated and flushed every METRICS_FLUSH_MS, never per event,
// and only aggregated and written at all when METRICS_EMF_ENABLED (on by default; the tests and benches
// switch it off).
// Metrics with client-chosen labels are bounded by METRICS_MAX_SERIES and METRICS_SERIES_TTL_MS.
import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { Env } from '../config/env.config';
import { EmfAggregator } from './emf';
import {
  CounterMetric,
  GaugeMetric,
  GaugeSpec,
  HistogramMetric,
  HistogramSpec,
  Labels,
  Metric,
  MetricHome,
  MetricSpec,
} from './metric';

const DEFAULT_PREFIX = 'pipescope_';

@Injectable()
export class MetricsService implements OnModuleInit, OnApplicationShutdown {
  private readonly registry = new Registry();
  private readonly emf = new EmfAggregator();
  private readonly bounded: Pick<Metric<Labels>, 'expire'>[] = [];
  private readonly home: MetricHome;
  private timer?: NodeJS.Timeout;
  /** Where EMF lines go when enabled: stdout, or what a test collects them in. */
  emfSink: (line: string) => void = (line) => process.stdout.write(`${line}\n`);
  /** The clock series expire by; replaceable in tests. */
  clock: () => number = Date.now;

  constructor(private readonly env: Env) {
    collectDefaultMetrics({ register: this.registry, prefix: DEFAULT_PREFIX });
    // prom-client names these gauges `..._total`, which promtool refuses for anything but a counter;
    // the same figures remain as `pipescope_nodejs_active_{handles,requests,resources}` by type.
    for (const name of ['active_handles_total', 'active_requests_total', 'active_resources_total'])
      this.registry.removeSingleMetric(`${DEFAULT_PREFIX}nodejs_${name}`);
    this.home = {
      registry: this.registry,
      ...(env.METRICS_EMF_ENABLED ? { emf: this.emf } : {}),
      limits: { maxSeries: env.METRICS_MAX_SERIES, ttlMs: env.METRICS_SERIES_TTL_MS },
      now: () => this.clock(),
    };
  }

  counter<T extends Labels = Record<never, string>>(spec: MetricSpec<T>): CounterMetric<T> {
    return this.track(new CounterMetric(spec, this.home));
  }

  histogram<T extends Labels = Record<never, string>>(spec: HistogramSpec<T>): HistogramMetric<T> {
    return this.track(new HistogramMetric(spec, this.home));
  }

  gauge<T extends Labels = Record<never, string>>(spec: GaugeSpec<T>): GaugeMetric<T> {
    return this.track(new GaugeMetric(spec, this.home));
  }

  onModuleInit(): void {
    this.timer = setInterval(() => this.flushEmf(), this.env.METRICS_FLUSH_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
    this.flushEmf();
  }

  flushEmf(): void {
    this.expire();
    const docs = this.emf.drain();
    if (this.env.METRICS_EMF_ENABLED) for (const doc of docs) this.emfSink(JSON.stringify(doc));
  }

  async prometheusText(): Promise<string> {
    this.expire();
    return this.registry.metrics();
  }

  /** Drops the label sets of client-labelled metrics that went quiet. */
  expire(): void {
    for (const metric of this.bounded) metric.expire();
  }

  private track<M extends Pick<Metric<Labels>, 'expire' | 'seriesHeld'>>(metric: M): M {
    if (metric.seriesHeld !== undefined) this.bounded.push(metric);
    return metric;
  }
}
