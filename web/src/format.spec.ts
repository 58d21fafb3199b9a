import { fmtBytes, fmtInt, fmtMs, fmtTime, prettyJson } from './format';
import { sortRows } from './sort';
import { seriesByRow, sumCounts } from './hourly-series';
import type { StatsRow } from './api.types';

describe('formatting', () => {
  it('reads durations, sizes and counts the way the pages show them', () => {
    expect([268, 1500, 59_100, 1_260_000, 7_300_000].map(fmtMs)).toEqual([
      '268 ms',
      '1.50 s',
      '59.1 s',
      '21 min 0 s',
      '2 h 2 min',
    ]);
    expect(fmtMs(null)).toBe('–');
    expect([512, 6_554, 5 * 1024 * 1024].map(fmtBytes)).toEqual(['512 B', '6.4 KiB', '5.0 MiB']);
    expect(fmtInt(12_345)).toBe('12,345');
    expect(fmtTime('2026-11-25T04:14:05.12+02:00')).toBe('2026-11-25 02:14:05.120Z');
  });

  it('pretty-prints JSON and leaves anything else as it is', () => {
    expect(prettyJson('{"a":[1,2]}')).toBe('{\n  "a": [\n    1,\n    2\n  ]\n}');
    expect(prettyJson('{not json')).toBe('{not json');
  });
});

describe('sortRows', () => {
  it('sorts numbers and text both ways and keeps missing values last', () => {
    const rows = [{ v: 2 }, { v: null }, { v: 10 }, { v: 1 }];
    expect(sortRows(rows, (r) => r.v, 'asc').map((r) => r.v)).toEqual([1, 2, 10, null]);
    expect(sortRows(rows, (r) => r.v, 'desc').map((r) => r.v)).toEqual([10, 2, 1, null]);
    expect(sortRows([{ s: 'b' }, { s: 'a' }], (r) => r.s, 'asc').map((r) => r.s)).toEqual(['a', 'b']);
  });
});

describe('hourly series', () => {
  const row = (type: string, received: number, p99: number | null): StatsRow =>
    ({
      source: 's',
      type,
      received,
      accepted: received,
      duplicates: 1,
      rejected: 0,
      lag_ms: { p50: null, p95: null, p99, max: null },
    }) as StatsRow;
  const buckets = [0, 1, 2].map((h) => ({ start: h * 3_600_000, end: h * 3_600_000 + 3_599_999 }));

  it('lines up each (source, type) by bucket, with gaps where it sent nothing', () => {
    const series = seriesByRow(buckets, [[row('a', 5, 100)], [], [row('a', 2, 300), row('b', 4, 50)]]);
    expect(series.get('s\u0000a')).toMatchObject({
      x: [0, 3600, 7200],
      p99: [100, null, 300],
      received: [5, 0, 2],
    });
    expect(sumCounts(buckets, [...series.values()]).received).toEqual([5, 0, 6]);
  });
});
