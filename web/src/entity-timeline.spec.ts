import type { EventView, SequenceGaps } from './api.types';
import { sequencedSources, timelineRows } from './entity-timeline';

const ev = (event_id: string, source: string, sequence: number | null): EventView =>
  ({ event_id, source, sequence, duplicate_count: 0, conflict_count: 0 }) as EventView;

const report = (source: string, over: Partial<SequenceGaps>): SequenceGaps => ({
  entity_id: 'e',
  source,
  truncated: false,
  events: 0,
  first_sequence: null,
  last_sequence: null,
  missing: [],
  missing_count: 0,
  repeated: [],
  out_of_order: [],
  next_expected: null,
  ...over,
});

describe('timelineRows', () => {
  it('puts each missing range right after the event numbered just before it, per source', () => {
    const events = [
      ev('a1', 'a', 1),
      ev('b1', 'b', 1),
      ev('a2', 'a', 2),
      ev('a5', 'a', 5),
      ev('b4', 'b', 4),
      ev('a9', 'a', 9),
    ];
    const rows = timelineRows(events, [
      report('a', {
        missing: [
          { from: 3, to: 4, count: 2 },
          { from: 6, to: 8, count: 3 },
        ],
      }),
      report('b', { missing: [{ from: 2, to: 3, count: 2 }] }),
    ]);
    expect(
      rows.map((r) => (r.kind === 'event' ? r.event.event_id : `${r.source}:${r.from}-${r.to}`)),
    ).toEqual(['a1', 'b1', 'b:2-3', 'a2', 'a:3-4', 'a5', 'a:6-8', 'b4', 'a9']);
  });

  it('marks repeated and out-of-order sequence numbers on their events', () => {
    const rows = timelineRows(
      [ev('x', 'a', 3), ev('y', 'a', 3), ev('z', 'a', 1)],
      [
        report('a', {
          repeated: [{ sequence: 3, event_ids: ['x', 'y'] }],
          out_of_order: [{ sequence: 1, event_id: 'z', received_at: '', after_sequence: 3 }],
        }),
      ],
    );
    expect(rows.map((r) => r.kind === 'event' && [r.repeatedSequence, r.outOfOrderAfter])).toEqual([
      [true, undefined],
      [true, undefined],
      [false, 3],
    ]);
  });

  it('appends a gap whose neighbour is not on screen, and names the sources that number events', () => {
    expect(
      timelineRows([ev('a9', 'a', 9)], [report('a', { missing: [{ from: 2, to: 2, count: 1 }] })])[1],
    ).toEqual({
      kind: 'missing',
      source: 'a',
      from: 2,
      to: 2,
      count: 1,
    });
    expect(sequencedSources([ev('1', 'z', 1), ev('2', 'a', null), ev('3', 'b', 0), ev('4', 'z', 2)])).toEqual(
      ['b', 'z'],
    );
  });
});
