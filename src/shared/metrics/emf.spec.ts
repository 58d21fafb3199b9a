import { EmfAggregator } from './emf';

describe('EmfAggregator', () => {
  it('aggregates observations into one EMF document per dimension set', () => {
    const emf = new EmfAggregator();
    emf.add({ source: 'a', type: 't' }, 'EventsAccepted', 'Count', 1);
    emf.add({ source: 'a', type: 't' }, 'EventsAccepted', 'Count', 1);
    emf.add({ source: 'a', type: 't' }, 'IngestLag', 'Milliseconds', 120, 3);
    emf.add({ source: 'b', type: 't' }, 'EventsAccepted', 'Count', 1);
    const docs = emf.drain(1_700_000_000_000);
    expect(docs).toHaveLength(2);
    expect(docs[0]).toEqual({
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
      EventsAccepted: { Values: [1], Counts: [2] },
      IngestLag: { Values: [120], Counts: [3] },
    });
    expect(docs[1].EventsAccepted).toBe(1);
    expect(emf.drain()).toEqual([]);
  });

  it('keeps at most 100 distinct values per metric by rounding', () => {
    const emf = new EmfAggregator();
    for (let i = 0; i < 1000; i++) emf.add({ s: 'x' }, 'Lag', 'Milliseconds', 1000 + i);
    const [doc] = emf.drain();
    const lag = doc.Lag as { Values: number[]; Counts: number[] };
    expect(lag.Values.length).toBeLessThanOrEqual(100);
    expect(lag.Counts.reduce((a, b) => a + b, 0)).toBe(1000);
  });
});
