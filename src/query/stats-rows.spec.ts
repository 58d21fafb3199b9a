import { bucketIndex, emptyBuckets } from '../shared/metrics/lag-histogram';
import { healthOf, positionOf, statsPage, statsRows } from './stats-rows';
import { CounterRow } from '../shared/ingest-stats/ingest-stats-store';

function row(overrides: Partial<CounterRow> & { lags?: number[] }): CounterRow {
  const { lags = [], ...rest } = overrides;
  const buckets = emptyBuckets();
  for (const lag of lags) buckets[bucketIndex(lag)] += 1;
  return {
    source: 'a',
    type: 't',
    hour: '2026-11-26T01',
    received: lags.length,
    accepted: lags.length,
    duplicates: 0,
    conflicts: 0,
    rejected: 0,
    late: 0,
    future: 0,
    bytes: 10 * lags.length,
    lag_buckets: buckets,
    lag_sum_ms: lags.reduce((x, y) => x + y, 0),
    lag_max_ms: lags.length ? Math.max(...lags) : 0,
    ...rest,
  };
}

describe('statsRows', () => {
  it('sums hours of one (source, type) into one row with quantiles and the true max', () => {
    const rows = statsRows([
      row({ hour: '2026-11-26T01', lags: [50, 50, 50] }),
      row({ hour: '2026-11-26T02', lags: [50, 4000] }),
    ]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ source: 'a', type: 't', received: 5, accepted: 5, bytes: 50 });
    expect(rows[0].lag_ms.max).toBe(4000);
    expect(rows[0].lag_ms.p50).toBeLessThanOrEqual(100);
    expect(rows[0].lag_ms.p99).toBeGreaterThan(2500);
    expect(rows[0].lag_ms.p99).toBeLessThanOrEqual(4000);
    expect(rows[0].health).toBe('ok');
  });

  it('computes rates and gives null lags when nothing was accepted', () => {
    const [r] = statsRows([row({ received: 4, accepted: 0, rejected: 4 })]);
    expect(r).toMatchObject({ reject_rate: 1, duplicate_rate: 0, late_rate: 0, health: 'bad' });
    expect(r.lag_ms).toEqual({ p50: null, p95: null, p99: null, max: null });
  });

  it('orders worst first, then by received', () => {
    const rows = statsRows([
      row({ source: 'fine', lags: [1, 1, 1, 1] }),
      row({ source: 'big', lags: Array.from({ length: 9 }, () => 1) }),
      row({
        source: 'dupes',
        received: 10,
        accepted: 8,
        duplicates: 2,
        lags: Array.from({ length: 8 }, () => 1),
      }),
      row({
        source: 'conflicted',
        received: 200,
        accepted: 199,
        conflicts: 1,
        lags: Array.from({ length: 199 }, () => 1),
      }),
    ]);
    expect(rows.map((r) => [r.source, r.health])).toEqual([
      ['dupes', 'bad'],
      ['conflicted', 'warn'],
      ['big', 'ok'],
      ['fine', 'ok'],
    ]);
  });
});

describe('healthOf', () => {
  it('applies the warn and bad thresholds inclusively and names the reasons', () => {
    const zero = { duplicate_rate: 0, late_rate: 0, reject_rate: 0, conflict_rate: 0 };
    expect(healthOf(zero)).toEqual({ health: 'ok', reasons: [] });
    expect(healthOf({ ...zero, late_rate: 0.01 })).toEqual({
      health: 'warn',
      reasons: ['late_rate 0.01 >= 0.01 (warn)'],
    });
    expect(healthOf({ ...zero, late_rate: 0.05, conflict_rate: 0.001 })).toEqual({
      health: 'bad',
      reasons: ['late_rate 0.05 >= 0.05 (bad)', 'conflict_rate 0.001 >= >0 (warn)'],
    });
  });
});

describe('statsPage', () => {
  const rows = statsRows(
    Array.from({ length: 7 }, (_, i) => row({ source: `s${i}`, lags: new Array<number>(i + 1).fill(10) })),
  );

  it('pages the worst-first order without gaps or repeats, then says there is no more', () => {
    const seen: string[] = [];
    let after: ReturnType<typeof positionOf> | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = statsPage(rows, 3, after);
      seen.push(...page.rows.map((r) => r.source));
      if (!page.next) break;
      after = page.next;
    }
    expect(seen).toEqual(rows.map((r) => r.source));
    expect(statsPage(rows, 7).next).toBeUndefined();
  });

  it('continues after the cursor row even when that row is gone', () => {
    const after = positionOf(rows[2]);
    const without = rows.filter((_, i) => i !== 2);
    expect(statsPage(without, 2, after).rows).toEqual([rows[3], rows[4]]);
  });
});
