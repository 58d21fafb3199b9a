// The one metrics home: owns the Prometheus registry (GET /metrics) and the CloudWatch EMF aggregator
// (JSON lines in the log), and declares every metric on both. Features declare theirs in a
// `<feature>.metrics.ts` MetricSet. EMF is aggregated and flushed every METRICS_FLUSH_MS, never per event,
// and only written at all when METRICS_EMF_ENABLED (on by default; the tests and benches switch it off).
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

@Injectable()
export class MetricsService implements OnModuleInit, OnApplicationShutdown {
  private readonly registry = new Registry();
  private readonly emf = new EmfAggregator();
  private timer?: NodeJS.Timeout;
  /** Where EMF lines go when enabled: stdout, or what a test collects them in. */
  emfSink: (line: string) => void = (line) => process.stdout.write(`${line}\n`);

  constructor(private readonly env: Env) {
    collectDefaultMetrics({ register: this.registry, prefix: 'pipescope_' });
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
    const docs = this.emf.drain();
    if (this.env.METRICS_EMF_ENABLED) for (const doc of docs) this.emfSink(JSON.stringify(doc));
  }

  async prometheusText(): Promise<string> {
    return this.registry.metrics();
  }
}
