// One metric, declared once: a Prometheus series on the app's registry and, when `emf` is given, the
// same observation mirrored to CloudWatch EMF. Declared through MetricsService (see metric-set.ts).
// A metric with `clientLabels` holds a bounded, expiring number of label sets (series-limit.ts).
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { EMF_MAX_DIMENSIONS, EmfAggregator, EmfKind, EmfUnit } from './emf';
import { SeriesLimit, SeriesLimits } from './series-limit';

/** An observation's labels: the Prometheus labels plus any EMF-only dimensions. */
export type Labels = Readonly<Record<string, string>>;
type NoLabels = Record<never, string>;
/** A metric without labels takes just the value; one with labels takes them first. */
type Args<T extends Labels, V extends unknown[]> = [keyof T] extends [never] ? V : [labels: T, ...V];

export interface MetricSpec<T extends Labels> {
  name: string;
  help: string;
  labelNames?: readonly (keyof T & string)[];
  /**
   * Labels (or EMF dimensions) whose values clients choose, like a source or a type: the metric then
   * keeps at most METRICS_MAX_SERIES label sets (the rest count with these labels as `other`), and a
   * set not observed for METRICS_SERIES_TTL_MS leaves the registry.
   */
  clientLabels?: readonly (keyof T & string)[];
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

/** What every metric shares: the registry, the EMF aggregator, the series limits and the clock. */
export interface MetricHome {
  registry: Registry;
  /** Absent when EMF is off (METRICS_EMF_ENABLED=false): nothing is aggregated for it then. */
  emf?: EmfAggregator;
  limits: SeriesLimits;
  now: () => number;
}

/** The prom-client metric behind a Metric: what expiry needs of it. */
interface PromMetric {
  remove(labels: Record<string, string>): void;
}

/** A dimension or metric name EMF accepts: printable ASCII, not starting with a colon. */
const EMF_NAME = /^[\x21-\x39\x3b-\x7e][\x20-\x7e]{0,254}$/;

export abstract class Metric<T extends Labels> {
  private readonly limit?: SeriesLimit;

  constructor(
    private readonly spec: MetricSpec<T>,
    private readonly unit: EmfUnit,
    private readonly kind: EmfKind,
    private readonly home: MetricHome,
  ) {
    checkEmf(spec);
    if (spec.clientLabels?.length) {
      const names = [...new Set([...(spec.labelNames ?? []), ...(spec.emf?.dimensions ?? [])])];
      this.limit = new SeriesLimit(names, spec.clientLabels, home.limits);
    }
  }

  protected abstract readonly prom: PromMetric;

  /** Removes the label sets that expired from the registry; true when the metric has a limit. */
  expire(): boolean {
    if (!this.limit) return false;
    const gone = this.limit.expire(this.home.now());
    if (gone.length === 0) return true;
    // A Prometheus series may carry fewer labels than the set (EMF-only dimensions): keep it while
    // another live set maps to it.
    const live = new Set(this.limit.live().map((l) => JSON.stringify(this.promLabels(l as T))));
    for (const labels of gone) {
      const prom = this.promLabels(labels as T);
      if (!live.has(JSON.stringify(prom))) this.prom.remove(prom);
    }
    return true;
  }

  /** The label sets this metric holds now (for tests and the cardinality bench). */
  get seriesHeld(): number | undefined {
    return this.limit?.size;
  }

  /** The labels to record under: the limit may turn client labels into `other`. */
  protected admit(labels: T | undefined): T | undefined {
    return labels && this.limit ? (this.limit.admit(labels, this.home.now()) as T) : labels;
  }

  /** The Prometheus labels of an observation (EMF-only dimensions dropped). */
  protected promLabels(labels: T | undefined): Record<string, string> {
    // A loop, not fromEntries over a mapped array: every storage call and replayed batch comes here.
    // (Label names are the code's own, never `__proto__`.)
    const out: Record<string, string> = {};
    for (const n of this.spec.labelNames ?? []) out[n] = labels?.[n] ?? '';
    return out;
  }

  protected mirror(labels: T | undefined, value: number): void {
    const { emf } = this.spec;
    if (!emf || !this.home.emf) return;
    labels ??= {} as T;
    const metric = typeof emf.metric === 'string' ? emf.metric : emf.metric(labels);
    const dimensions = Object.fromEntries(emf.dimensions.map((d) => [d, labels[d]]));
    this.home.emf.add(dimensions, metric, this.unit, this.kind, value);
  }
}

export class CounterMetric<T extends Labels = NoLabels> extends Metric<T> {
  protected readonly prom: Counter;

  constructor(spec: MetricSpec<T>, home: MetricHome) {
    super(spec, 'Count', 'sum', home);
    this.prom = new Counter({ ...promSpec(spec), registers: [home.registry] });
  }

  inc(...args: Args<T, [value?: number]>): void {
    const [given, value = 1] = split<T>(args);
    const labels = this.admit(given);
    this.prom.inc(this.promLabels(labels), value);
    this.mirror(labels, value);
  }
}

export class HistogramMetric<T extends Labels = NoLabels> extends Metric<T> {
  protected readonly prom: Histogram;
  private readonly toSeconds: number;

  constructor(spec: HistogramSpec<T>, home: MetricHome) {
    super(spec, spec.unit, 'distribution', home);
    this.toSeconds = spec.unit === 'Milliseconds' ? 1000 : 1;
    this.prom = new Histogram({ ...promSpec(spec), buckets: [...spec.buckets], registers: [home.registry] });
  }

  observe(...args: Args<T, [value: number]>): void {
    const [given, value] = split<T>(args);
    const labels = this.admit(given);
    this.prom.observe(this.promLabels(labels), value! / this.toSeconds);
    this.mirror(labels, value!);
  }

  /** Starts a clock; the returned function observes the time since, as `observe` would. */
  startTimer(...args: Args<T, []>): () => void {
    const [labels] = split<T>(args);
    const started = process.hrtime.bigint();
    return () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const admitted = this.admit(labels);
      this.prom.observe(this.promLabels(admitted), seconds);
      this.mirror(admitted, seconds * this.toSeconds);
    };
  }
}

export class GaugeMetric<T extends Labels = NoLabels> extends Metric<T> {
  protected readonly prom: Gauge;

  constructor(spec: GaugeSpec<T>, home: MetricHome) {
    super(spec, spec.unit, 'distribution', home);
    this.prom = new Gauge({ ...promSpec(spec), registers: [home.registry] });
  }

  set(...args: Args<T, [value: number]>): void {
    const [given, value] = split<T>(args);
    const labels = this.admit(given);
    this.prom.set(this.promLabels(labels), value!);
    this.mirror(labels, value!);
  }
}

const promSpec = <T extends Labels>(spec: MetricSpec<T>) => ({
  name: spec.name,
  help: spec.help,
  labelNames: [...(spec.labelNames ?? [])],
});

/** Refuses, at boot, an EMF declaration CloudWatch would reject. */
function checkEmf<T extends Labels>(spec: MetricSpec<T>): void {
  const { emf } = spec;
  if (!emf) return;
  const bad = (why: string) => new Error(`metric ${spec.name}: EMF ${why}`);
  if (emf.dimensions.length > EMF_MAX_DIMENSIONS)
    throw bad(`allows at most ${EMF_MAX_DIMENSIONS} dimensions`);
  for (const d of emf.dimensions) if (!EMF_NAME.test(d) || d === '_aws') throw bad(`dimension name ${d}`);
  if (typeof emf.metric === 'string' && !EMF_NAME.test(emf.metric)) throw bad(`metric name ${emf.metric}`);
}

/** Labels (if the first argument is an object) and the value of a metric call. */
function split<T extends Labels>(args: unknown[]): [T | undefined, number | undefined] {
  return typeof args[0] === 'object'
    ? [args[0] as T, args[1] as number | undefined]
    : [undefined, args[0] as number | undefined];
}
