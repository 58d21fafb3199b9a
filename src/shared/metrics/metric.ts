// One metric, declared once: a Prometheus series on the app's registry and, when `emf` is given, the
// same observation mirrored to CloudWatch EMF. Declared through MetricsService (see metric-set.ts).
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { EmfAggregator, EmfUnit } from './emf';

/** An observation's labels: the Prometheus labels plus any EMF-only dimensions. */
export type Labels = Readonly<Record<string, string>>;
type NoLabels = Record<never, string>;
/** A metric without labels takes just the value; one with labels takes them first. */
type Args<T extends Labels, V extends unknown[]> = [keyof T] extends [never] ? V : [labels: T, ...V];

export interface MetricSpec<T extends Labels> {
  name: string;
  help: string;
  labelNames?: readonly (keyof T & string)[];
  /** Mirror each observation to EMF: metric name (fixed or per observation) and its dimensions. */
  emf?: { metric: string | ((labels: T) => string); dimensions: readonly (keyof T & string)[] };
}

export interface HistogramSpec<T extends Labels> extends MetricSpec<T> {
  /** Unit observations come in; Prometheus gets seconds for time (its base unit), EMF this unit. */
  unit: 'Seconds' | 'Milliseconds';
  /** Prometheus bucket bounds, in seconds. */
  buckets: readonly number[];
}

export interface GaugeSpec<T extends Labels> extends MetricSpec<T> {
  unit: EmfUnit;
}

abstract class Metric<T extends Labels> {
  constructor(
    private readonly spec: MetricSpec<T>,
    private readonly unit: EmfUnit,
    private readonly emf: EmfAggregator,
  ) {}

  /** The Prometheus labels of an observation (EMF-only dimensions dropped). */
  protected promLabels(labels: T | undefined): Record<string, string> {
    const names = this.spec.labelNames ?? [];
    return Object.fromEntries(names.map((n) => [n, labels?.[n] ?? '']));
  }

  protected mirror(labels: T | undefined, value: number): void {
    const { emf } = this.spec;
    if (!emf) return;
    labels ??= {} as T;
    const metric = typeof emf.metric === 'string' ? emf.metric : emf.metric(labels);
    this.emf.add(Object.fromEntries(emf.dimensions.map((d) => [d, labels[d]])), metric, this.unit, value);
  }
}

export class CounterMetric<T extends Labels = NoLabels> extends Metric<T> {
  private readonly counter: Counter;

  constructor(spec: MetricSpec<T>, registry: Registry, emf: EmfAggregator) {
    super(spec, 'Count', emf);
    this.counter = new Counter({ ...promSpec(spec), registers: [registry] });
  }

  inc(...args: Args<T, [value?: number]>): void {
    const [labels, value = 1] = split<T>(args);
    this.counter.inc(this.promLabels(labels), value);
    this.mirror(labels, value);
  }
}

export class HistogramMetric<T extends Labels = NoLabels> extends Metric<T> {
  private readonly histogram: Histogram;
  private readonly toSeconds: number;

  constructor(spec: HistogramSpec<T>, registry: Registry, emf: EmfAggregator) {
    super(spec, spec.unit, emf);
    this.toSeconds = spec.unit === 'Milliseconds' ? 1000 : 1;
    this.histogram = new Histogram({ ...promSpec(spec), buckets: [...spec.buckets], registers: [registry] });
  }

  observe(...args: Args<T, [value: number]>): void {
    const [labels, value] = split<T>(args);
    this.histogram.observe(this.promLabels(labels), value! / this.toSeconds);
    this.mirror(labels, value!);
  }

  /** Starts a clock; the returned function observes the time since, as `observe` would. */
  startTimer(...args: Args<T, []>): () => void {
    const [labels] = split<T>(args);
    const started = process.hrtime.bigint();
    return () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.histogram.observe(this.promLabels(labels), seconds);
      this.mirror(labels, seconds * this.toSeconds);
    };
  }
}

export class GaugeMetric<T extends Labels = NoLabels> extends Metric<T> {
  private readonly gauge: Gauge;

  constructor(spec: GaugeSpec<T>, registry: Registry, emf: EmfAggregator) {
    super(spec, spec.unit, emf);
    this.gauge = new Gauge({ ...promSpec(spec), registers: [registry] });
  }

  set(...args: Args<T, [value: number]>): void {
    const [labels, value] = split<T>(args);
    this.gauge.set(this.promLabels(labels), value!);
    this.mirror(labels, value!);
  }
}

const promSpec = <T extends Labels>(spec: MetricSpec<T>) => ({
  name: spec.name,
  help: spec.help,
  labelNames: [...(spec.labelNames ?? [])],
});

/** Labels (if the first argument is an object) and the value of a metric call. */
function split<T extends Labels>(args: unknown[]): [T | undefined, number | undefined] {
  return typeof args[0] === 'object'
    ? [args[0] as T, args[1] as number | undefined]
    : [undefined, args[0] as number | undefined];
}
