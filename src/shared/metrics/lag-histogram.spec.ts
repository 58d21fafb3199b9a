import { bucketIndex, emptyBuckets, LAG_BUCKETS_MS, quantile } from './lag-histogram';

describe('lag histogram', () => {
  it('puts a lag in the first bucket whose bound holds it', () => {
    expect(bucketIndex(-5)).toBe(0);
    expect(bucketIndex(0)).toBe(0);
    expect(bucketIndex(1)).toBe(1);
    expect(bucketIndex(100)).toBe(1);
    expect(bucketIndex(101)).toBe(2);
    expect(bucketIndex(10 ** 12)).toBe(LAG_BUCKETS_MS.length - 1);
  });

  it('interpolates quantiles inside a bucket', () => {
    const b = emptyBuckets();
    b[bucketIndex(50)] = 100; // 100 lags in (0, 100]
    expect(quantile(b, 0.5, 90)).toBe(50);
    expect(quantile(b, 0.99, 90)).toBe(90); // capped at the true max
  });

  it('answers the max for the open last bucket and null when empty', () => {
    const b = emptyBuckets();
    b[LAG_BUCKETS_MS.length - 1] = 3;
    expect(quantile(b, 0.5, 123_456_789)).toBe(123_456_789);
    expect(quantile(emptyBuckets(), 0.5, 0)).toBeNull();
  });

  it('spreads p50/p95/p99 over buckets as counts say', () => {
    const b = emptyBuckets();
    b[bucketIndex(1_000)] = 90; // (500, 1000]
    b[bucketIndex(60_000)] = 10; // (30000, 60000]
    expect(quantile(b, 0.5, 60_000)).toBeGreaterThan(500);
    expect(quantile(b, 0.5, 60_000)).toBeLessThanOrEqual(1_000);
    expect(quantile(b, 0.95, 60_000)).toBe(45_000);
    expect(quantile(b, 0.99, 60_000)).toBe(57_000);
  });
});
