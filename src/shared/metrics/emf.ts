// CloudWatch Embedded Metric Format: metrics aggregated over a flush interval, written as JSON log
// lines that CloudWatch Logs turns into metrics with no API call. One line per dimension set.
// Spec: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
// Only the value forms it documents are written: a number, or an array of at most 100 numbers.
// Dimension values are made ASCII (dimensionValue below); test/support/emf-document.schema.json is
// the schema every line is tested against.

export type EmfUnit = 'Count' | 'Milliseconds' | 'Bytes' | 'Seconds' | 'None';
/** `sum`: a counter, written as the total of the interval; `distribution`: the observed values. */
export type EmfKind = 'sum' | 'distribution';

interface MetricValues {
  unit: EmfUnit;
  kind: EmfKind;
  sum: number;
  /** Distribution only: observed value (or its log bucket once bucketed) -> how often. */
  values: Map<number, number>;
  /** Past MAX_EXACT_VALUES distinct values, values are kept by log bucket (within 5%). */
  bucketed: boolean;
  min: number;
  max: number;
}

interface Series {
  dimensions: Record<string, string>;
  metrics: Map<string, MetricValues>;
}

export const EMF_NAMESPACE = 'pipescope';
/** The specification's limits. */
export const EMF_MAX_VALUES = 100;
export const EMF_MAX_METRICS_PER_DIRECTIVE = 100;
export const EMF_MAX_DIMENSIONS = 30;
const MAX_DIMENSION_VALUE = 1024;
/** CloudWatch accepts numbers in -2^360..2^360. */
const MAX_MAGNITUDE = 2 ** 360;
/** A distribution keeps this many distinct values exactly; beyond, it keeps log buckets. */
const MAX_EXACT_VALUES = 100;
/** Buckets 10% wide: a value is kept within 5% (the log-bucket scheme of AWS's own EMF libraries). */
const BUCKET_WIDTH = Math.log(1.1);
/** What an empty or blank dimension value is written as (the same mark as an unreadable label). */
const BLANK = '~';

/**
 * A dimension value CloudWatch accepts: printable ASCII, at least one non-blank character, at most
 * 1024 characters. Anything else is percent-encoded (UTF-8), so `ordre.créé` becomes
 * `ordre.cr%C3%A9%C3%A9`: distinct values stay distinct and readable.
 */
export function dimensionValue(value: string | undefined): string {
  if (value === undefined || !/\S/.test(value)) return BLANK;
  if (/^[\x20-\x7e]{1,1024}$/.test(value)) return value;
  let out = '';
  for (const char of value) {
    const code = char.codePointAt(0)!;
    out +=
      code >= 0x20 && code <= 0x7e
        ? char
        : [...Buffer.from(char, 'utf8')]
            .map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`)
            .join('');
    if (out.length > MAX_DIMENSION_VALUE) break;
  }
  // Cut to the limit without leaving half an escape behind.
  return out.length > MAX_DIMENSION_VALUE
    ? out.slice(0, MAX_DIMENSION_VALUE).replace(/%[0-9A-F]?$/, '')
    : out;
}

export class EmfAggregator {
  private series = new Map<string, Series>();

  /** Adds `count` observations of `value` for a metric under the given dimensions. */
  add(
    dimensions: Record<string, string | undefined>,
    metric: string,
    unit: EmfUnit,
    kind: EmfKind,
    value: number,
    count = 1,
  ): void {
    if (!Number.isFinite(value) || !(count > 0)) return;
    const safe = Object.fromEntries(Object.entries(dimensions).map(([k, v]) => [k, dimensionValue(v)]));
    const key = JSON.stringify(Object.entries(safe).sort());
    let series = this.series.get(key);
    if (!series) {
      series = { dimensions: safe, metrics: new Map() };
      this.series.set(key, series);
    }
    let m = series.metrics.get(metric);
    if (!m) {
      m = { unit, kind, sum: 0, values: new Map(), bucketed: false, min: Infinity, max: -Infinity };
      series.metrics.set(metric, m);
    }
    m.sum += value * count;
    if (kind === 'sum') return;
    const v = clamp(value);
    m.min = Math.min(m.min, v);
    m.max = Math.max(m.max, v);
    if (!m.bucketed && !m.values.has(v) && m.values.size >= MAX_EXACT_VALUES) {
      const exact = m.values;
      m.values = new Map<number, number>();
      for (const [x, c] of exact) addTo(m.values, bucketOf(x), c);
      m.bucketed = true;
    }
    addTo(m.values, m.bucketed ? bucketOf(v) : v, count);
  }

  /** The EMF documents for everything added since the last drain; empties the aggregator. */
  drain(now = Date.now()): Record<string, unknown>[] {
    const docs: Record<string, unknown>[] = [];
    for (const s of this.series.values()) {
      const metrics = [...s.metrics.entries()];
      for (let i = 0; i < metrics.length; i += EMF_MAX_METRICS_PER_DIRECTIVE) {
        const chunk = metrics.slice(i, i + EMF_MAX_METRICS_PER_DIRECTIVE);
        const doc: Record<string, unknown> = {
          _aws: {
            Timestamp: Math.floor(now),
            CloudWatchMetrics: [
              {
                Namespace: EMF_NAMESPACE,
                // The empty set also publishes each metric without dimensions: the service-wide rollup
                // that alarms need (CloudWatch cannot alarm on a percentile across dimension values).
                Dimensions: [Object.keys(s.dimensions), []],
                Metrics: chunk.map(([Name, m]) => ({ Name, Unit: m.unit })),
              },
            ],
          },
          ...s.dimensions,
        };
        for (const [name, m] of chunk)
          doc[name] = m.kind === 'sum' ? clamp(m.sum) : emfValues(m.values, m.min, m.max);
        docs.push(doc);
      }
    }
    this.series = new Map();
    return docs;
  }
}

/**
 * A distribution as the specification allows it: the value itself when seen once, every value when
 * seen at most 100 times, otherwise 100 values at evenly spaced ranks (the first and last being the
 * true minimum and maximum), so CloudWatch's percentiles, minimum and maximum hold; its SampleCount
 * and Sum then describe those 100 (count events with a `sum` metric).
 */
export function emfValues(values: Map<number, number>, min: number, max: number): number | number[] {
  const sorted = [...values.entries()].sort(([a], [b]) => a - b);
  const total = sorted.reduce((n, [, c]) => n + c, 0);
  if (total === 1) return sorted[0][0];
  if (total <= EMF_MAX_VALUES) return sorted.flatMap(([v, c]) => new Array<number>(c).fill(v));
  const out: number[] = [];
  let at = 0;
  let seen = sorted[0][1];
  for (let i = 0; i < EMF_MAX_VALUES; i++) {
    // The rank of the i-th of 100 evenly spaced points: 0 for the first, total - 1 for the last.
    const rank = Math.round((i * (total - 1)) / (EMF_MAX_VALUES - 1));
    while (seen <= rank) seen += sorted[++at][1];
    out.push(sorted[at][0]);
  }
  out[0] = min;
  out[EMF_MAX_VALUES - 1] = max;
  return out;
}

const clamp = (v: number): number => Math.max(-MAX_MAGNITUDE, Math.min(MAX_MAGNITUDE, v));

/** The middle of the 10%-wide log bucket holding `v` (0 stays 0, negatives mirror positives). */
function bucketOf(v: number): number {
  if (v === 0) return 0;
  const middle = Math.exp((Math.floor(Math.log(Math.abs(v)) / BUCKET_WIDTH) + 0.5) * BUCKET_WIDTH);
  return Math.sign(v) * middle;
}

function addTo(into: Map<number, number>, value: number, count: number): void {
  into.set(value, (into.get(value) ?? 0) + count);
}
