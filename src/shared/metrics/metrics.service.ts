// The one metrics home: owns the Prometheus registry (GET /metrics) and the CloudWatch EMF aggregator
// (JSON lines in the log), and declares every metric on both. Features declare theirs in a
// `<feature>.metrics.ts` MetricSet. EMF is aggregated and flushed every METRICS_FLUSH_MS, never per event.
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
  MetricSpec,
} from './metric';

const DEFAULT_PREFIX = 'pipescope_';

@Injectable()
export class MetricsService implements OnModuleInit, OnApplicationShutdown {
  private readonly registry = new Registry();
  private readonly emf = new EmfAggregator();
  private timer?: NodeJS.Timeout;
  /** Where EMF lines go; stdout in production, replaceable in tests. */
  emfSink: (line: string) => void = (line) => process.stdout.write(`${line}\n`);

  constructor(private readonly env: Env) {
    collectDefaultMetrics({ register: this.registry, prefix: DEFAULT_PREFIX });
    // prom-client names these gauges `..._total`, which promtool refuses for anything but a counter;
    // the same figures remain as `pipescope_nodejs_active_{handles,requests,resources}` by type.
    for (const name of ['active_handles_total', 'active_requests_total', 'active_resources_total'])
      this.registry.removeSingleMetric(`${DEFAULT_PREFIX}nodejs_${name}`);
  }

  counter<T extends Labels = Record<never, string>>(spec: MetricSpec<T>): CounterMetric<T> {
    return new CounterMetric(spec, this.registry, this.emf);
  }

  histogram<T extends Labels = Record<never, string>>(spec: HistogramSpec<T>): HistogramMetric<T> {
    return new HistogramMetric(spec, this.registry, this.emf);
  }

  gauge<T extends Labels = Record<never, string>>(spec: GaugeSpec<T>): GaugeMetric<T> {
    return new GaugeMetric(spec, this.registry, this.emf);
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
    for (const doc of this.emf.drain()) this.emfSink(JSON.stringify(doc));
  }

  async prometheusText(): Promise<string> {
    return this.registry.metrics();
  }
}
