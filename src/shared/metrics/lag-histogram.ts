// Fixed lag buckets shared by the stored counters and the Prometheus histogram, so rows add up across
// hours, sources and processes. Quantiles are estimated by linear interpolation inside the bucket,
// as Prometheus' histogram_quantile does.

/** Upper bounds in milliseconds; a last, implicit bucket holds everything larger (+Inf). */
export const LAG_BUCKETS_MS = [
  0,
  100,
  250,
  500,
  1_000,
  2_500,
  5_000,
  10_000,
  30_000,
  60_000,
  120_000,
  300_000,
  600_000,
  1_800_000,
  3_600_000,
  7_200_000,
  21_600_000,
  86_400_000,
  Infinity,
] as const;

export function bucketIndex(lagMs: number): number {
  const i = LAG_BUCKETS_MS.findIndex((bound) => lagMs <= bound);
  return i === -1 ? LAG_BUCKETS_MS.length - 1 : i;
}

export function emptyBuckets(): number[] {
  return LAG_BUCKETS_MS.map(() => 0);
}

/**
 * Estimates quantile q (0..1) from bucket counts. Lags at or below 0 (future events) count as 0.
 * The open last bucket answers `maxMs`, the largest lag seen, rather than infinity.
 */
export function quantile(buckets: readonly number[], q: number, maxMs: number): number | null {
  const total = buckets.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < buckets.length; i++) {
    const count = buckets[i];
    if (count > 0 && seen + count >= rank) {
      const upper = LAG_BUCKETS_MS[i];
      if (i === 0) return 0;
      const lower = LAG_BUCKETS_MS[i - 1];
      if (upper === Infinity) return maxMs;
      const estimate = lower + ((upper - lower) * (rank - seen)) / count;
      return Math.round(Math.min(estimate, maxMs));
    }
    seen += count;
  }
  return maxMs;
}
