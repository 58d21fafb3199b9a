// CloudWatch Embedded Metric Format: metrics aggregated over a flush interval, written as JSON log
// lines that CloudWatch Logs turns into metrics with no API call. One line per dimension set.
// Spec: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html

export type EmfUnit = 'Count' | 'Milliseconds' | 'Bytes' | 'Seconds' | 'None';

interface Series {
  dimensions: Record<string, string>;
  metrics: Map<string, { unit: EmfUnit; values: Map<number, number> }>;
}

export const EMF_NAMESPACE = 'pipescope';
/** EMF allows at most 100 values per metric per line; beyond that, a value joins its nearest neighbour. */
const MAX_DISTINCT_VALUES = 100;

export class EmfAggregator {
  private series = new Map<string, Series>();

  /** Adds `count` observations of `value` for a metric under the given dimensions. */
  add(dimensions: Record<string, string>, metric: string, unit: EmfUnit, value: number, count = 1): void {
    const key = JSON.stringify(Object.entries(dimensions).sort());
    let series = this.series.get(key);
    if (!series) {
      series = { dimensions, metrics: new Map() };
      this.series.set(key, series);
    }
    let m = series.metrics.get(metric);
    if (!m) {
      m = { unit, values: new Map() };
      series.metrics.set(metric, m);
    }
    let v = value;
    if (!m.values.has(v) && m.values.size >= MAX_DISTINCT_VALUES) v = nearest(m.values.keys(), value);
    m.values.set(v, (m.values.get(v) ?? 0) + count);
  }

  /** The EMF documents for everything added since the last drain; empties the aggregator. */
  drain(now = Date.now()): Record<string, unknown>[] {
    const docs = [...this.series.values()].map((s) => {
      const doc: Record<string, unknown> = {
        _aws: {
          Timestamp: now,
          CloudWatchMetrics: [
            {
              Namespace: EMF_NAMESPACE,
              // The empty set also publishes each metric without dimensions: the service-wide rollup
              // that alarms need (CloudWatch cannot alarm on a percentile across dimension values).
              Dimensions: [Object.keys(s.dimensions), []],
              Metrics: [...s.metrics.entries()].map(([Name, m]) => ({ Name, Unit: m.unit })),
            },
          ],
        },
        ...s.dimensions,
      };
      for (const [name, m] of s.metrics) {
        const entries = [...m.values.entries()];
        doc[name] =
          entries.length === 1 && entries[0][1] === 1
            ? entries[0][0]
            : { Values: entries.map(([v]) => v), Counts: entries.map(([, c]) => c) };
      }
      return doc;
    });
    this.series = new Map();
    return docs;
  }
}

function nearest(values: Iterable<number>, value: number): number {
  let best = value;
  let distance = Infinity;
  for (const v of values) {
    const d = Math.abs(v - value);
    if (d < distance) {
      best = v;
      distance = d;
    }
  }
  return best;
}
