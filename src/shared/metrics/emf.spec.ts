import { emfProblems } from '../../../test/support/emf-schema';
import { dimensionValue, EmfAggregator, emfValues } from './emf';

const lines = (emf: EmfAggregator, now = 1_700_000_000_000): string[] =>
  emf.drain(now).map((d) => JSON.stringify(d));

describe('EmfAggregator', () => {
  it('writes one document per dimension set: counters as their total, distributions as their values', () => {
    const emf = new EmfAggregator();
    emf.add({ source: 'a', type: 't' }, 'EventsAccepted', 'Count', 'sum', 1);
    emf.add({ source: 'a', type: 't' }, 'EventsAccepted', 'Count', 'sum', 1);
    emf.add({ source: 'a', type: 't' }, 'IngestLag', 'Milliseconds', 'distribution', 120, 3);
    emf.add({ source: 'a', type: 't' }, 'IngestLag', 'Milliseconds', 'distribution', 80);
    emf.add({ source: 'b', type: 't' }, 'EventsAccepted', 'Count', 'sum', 1);
    emf.add({ source: 'b', type: 't' }, 'IngestLag', 'Milliseconds', 'distribution', 7);
    const out = lines(emf);
    expect(out.map(emfProblems)).toEqual([[], []]);
    expect(JSON.parse(out[0])).toEqual({
      _aws: {
        Timestamp: 1_700_000_000_000,
        CloudWatchMetrics: [
          {
            Namespace: 'pipescope',
            Dimensions: [['source', 'type'], []],
            Metrics: [
              { Name: 'EventsAccepted', Unit: 'Count' },
              { Name: 'IngestLag', Unit: 'Milliseconds' },
            ],
          },
        ],
      },
      source: 'a',
      type: 't',
      EventsAccepted: 2,
      IngestLag: [80, 120, 120, 120],
    });
    expect(JSON.parse(out[1])).toMatchObject({ EventsAccepted: 1, IngestLag: 7 });
    expect(emf.drain()).toEqual([]);
  });

  it('writes a busy distribution as 100 values at evenly spaced ranks, keeping the true min and max', () => {
    const emf = new EmfAggregator();
    for (let i = 1; i <= 10_000; i++) emf.add({ s: 'x' }, 'Lag', 'Milliseconds', 'distribution', i);
    const out = lines(emf);
    expect(out.map(emfProblems)).toEqual([[]]);
    const lag = JSON.parse(out[0]).Lag as number[];
    expect(lag).toHaveLength(100);
    expect(lag[0]).toBe(1);
    expect(lag[99]).toBe(10_000);
    // The 99th of 100 evenly spaced values sits at the 99th percentile, within a 10% log bucket.
    expect(Math.abs(lag[98] / 9_900 - 1)).toBeLessThanOrEqual(0.06);
    expect(Math.abs(lag[49] / 5_000 - 1)).toBeLessThanOrEqual(0.06);
  });

  it('spreads repeated values over the 100 by their counts', () => {
    const counts = new Map([
      [5, 900],
      [500, 100],
    ]);
    expect(emfValues(counts, 5, 500)).toEqual([
      ...new Array<number>(90).fill(5),
      ...new Array<number>(10).fill(500),
    ]);
    expect(emfValues(new Map([[3, 1]]), 3, 3)).toBe(3);
    expect(emfValues(new Map([[3, 2]]), 3, 3)).toEqual([3, 3]);
  });

  it('splits more than 100 metrics of one dimension set over several documents', () => {
    const emf = new EmfAggregator();
    for (let i = 0; i < 230; i++) emf.add({ s: 'x' }, `M${i}`, 'Count', 'sum', i);
    const out = lines(emf);
    expect(out).toHaveLength(3);
    expect(out.map(emfProblems)).toEqual([[], [], []]);
    expect(out.map((l) => Object.keys(JSON.parse(l)).filter((k) => k.startsWith('M')).length)).toEqual([
      100, 100, 30,
    ]);
  });

  it('writes only dimension values CloudWatch accepts, whatever it is given', () => {
    const emf = new EmfAggregator();
    const given = [
      'ordre.créé',
      '订单',
      '',
      '   ',
      'tab\there',
      'x'.repeat(5000),
      'é'.repeat(600),
      undefined,
    ];
    for (const type of given) emf.add({ source: 's', type }, 'EventsAccepted', 'Count', 'sum', 1);
    const out = lines(emf);
    expect(out.map(emfProblems)).toEqual(out.map(() => []));
    const types = out.map((l) => (JSON.parse(l) as { type: string }).type);
    expect(types).toContain('ordre.cr%C3%A9%C3%A9');
    expect(types).toContain('%E8%AE%A2%E5%8D%95');
    expect(types).toContain('tab%09here');
    expect(types).toContain('~');
    for (const t of types) expect(t.length).toBeLessThanOrEqual(1024);
  });

  it('ignores values that are not finite numbers', () => {
    const emf = new EmfAggregator();
    emf.add({ s: 'x' }, 'Lag', 'Milliseconds', 'distribution', Number.NaN);
    emf.add({ s: 'x' }, 'Lag', 'Milliseconds', 'distribution', Number.POSITIVE_INFINITY);
    expect(emf.drain()).toEqual([]);
  });
});

describe('dimensionValue', () => {
  it('keeps printable ASCII as it is, percent-encodes the rest, and never ends on half an escape', () => {
    expect(dimensionValue('orders-svc')).toBe('orders-svc');
    expect(dimensionValue('a b')).toBe('a b');
    expect(dimensionValue('\u0000')).toBe('%00');
    expect(dimensionValue(' \t ')).toBe('~');
    expect(dimensionValue(undefined)).toBe('~');
    const cut = dimensionValue(`${'a'.repeat(1022)}é`);
    expect(cut).toBe('a'.repeat(1022));
  });
});

describe('the EMF schema (written from the specification)', () => {
  const valid = {
    _aws: {
      Timestamp: 1,
      CloudWatchMetrics: [{ Namespace: 'n', Dimensions: [['d']], Metrics: [{ Name: 'M', Unit: 'Count' }] }],
    },
    d: 'v',
    M: 1,
  };
  const problems = (change: (doc: typeof valid & Record<string, unknown>) => void): string[] => {
    const doc = structuredClone(valid) as typeof valid & Record<string, unknown>;
    change(doc);
    return emfProblems(JSON.stringify(doc));
  };

  it('accepts a document the specification allows', () => {
    expect(emfProblems(JSON.stringify(valid))).toEqual([]);
  });

  it.each<[string, (doc: typeof valid & Record<string, unknown>) => void]>([
    ['a values-and-counts object', (d) => (d.M = { Values: [1], Counts: [2] } as never)],
    ['an array of 101 values', (d) => (d.M = new Array(101).fill(1) as never)],
    ['a non-ASCII dimension value', (d) => (d.d = 'é')],
    ['a blank dimension value', (d) => (d.d = '  ')],
    ['a dimension value over 1024 characters', (d) => (d.d = 'x'.repeat(1025))],
    ['a missing target member', (d) => delete (d as Record<string, unknown>).M],
    [
      '31 dimensions',
      (d) => (d._aws.CloudWatchMetrics[0].Dimensions = [Array.from({ length: 31 }, (_, i) => `k${i}`)]),
    ],
    [
      '101 metrics',
      (d) =>
        (d._aws.CloudWatchMetrics[0].Metrics = Array.from({ length: 101 }, (_, i) => ({
          Name: `m${i}`,
          Unit: 'Count',
        }))),
    ],
    ['an unknown unit', (d) => (d._aws.CloudWatchMetrics[0].Metrics[0].Unit = 'Requests')],
    [
      'an extra member in a directive',
      (d) => ((d._aws.CloudWatchMetrics[0] as Record<string, unknown>).Extra = 1),
    ],
  ])('refuses %s', (_name, change) => {
    expect(problems(change)).not.toEqual([]);
  });
});
