// Per-bucket /stats answers turned into time series per (source, type): lag quantiles and counts.
import type { StatsRow } from './api.types';
import type { Bucket } from './time-window';

export const rowKey = (r: { source: string; type: string }): string => `${r.source}\u0000${r.type}`;

export interface Series {
  /** Bucket starts, in seconds (uPlot's x axis). */
  x: number[];
  p50: (number | null)[];
  p95: (number | null)[];
  p99: (number | null)[];
  received: number[];
  accepted: number[];
  duplicates: number[];
  rejected: number[];
}

const emptySeries = (buckets: Bucket[]): Series => ({
  x: buckets.map((b) => b.start / 1000),
  p50: buckets.map(() => null),
  p95: buckets.map(() => null),
  p99: buckets.map(() => null),
  received: buckets.map(() => 0),
  accepted: buckets.map(() => 0),
  duplicates: buckets.map(() => 0),
  rejected: buckets.map(() => 0),
});

/** One series per (source, type) seen in any bucket; `perBucket[i]` holds bucket i's rows. */
export function seriesByRow(buckets: Bucket[], perBucket: StatsRow[][]): Map<string, Series> {
  const out = new Map<string, Series>();
  perBucket.forEach((rows, i) => {
    for (const row of rows) {
      const key = rowKey(row);
      let s = out.get(key);
      if (!s) out.set(key, (s = emptySeries(buckets)));
      s.p50[i] = row.lag_ms.p50;
      s.p95[i] = row.lag_ms.p95;
      s.p99[i] = row.lag_ms.p99;
      s.received[i] = row.received;
      s.accepted[i] = row.accepted;
      s.duplicates[i] = row.duplicates;
      s.rejected[i] = row.rejected;
    }
  });
  return out;
}

/**
 * Counts of several types added up per bucket (counts add exactly; lag quantiles do not, so the
 * sum keeps no quantiles).
 */
export function sumCounts(buckets: Bucket[], series: Series[]): Series {
  const total = emptySeries(buckets);
  for (const s of series) {
    for (let i = 0; i < buckets.length; i++) {
      total.received[i] += s.received[i];
      total.accepted[i] += s.accepted[i];
      total.duplicates[i] += s.duplicates[i];
      total.rejected[i] += s.rejected[i];
    }
  }
  return total;
}
