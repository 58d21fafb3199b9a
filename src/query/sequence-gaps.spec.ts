import { analyseSequence, SequencedEvent } from './sequence-gaps';

const at = (s: number) => `2026-11-25T10:00:${String(s).padStart(2, '0')}.000Z`;
const ev = (id: string, sequence: number, second: number): SequencedEvent => ({
  event_id: id,
  sequence,
  received_at: at(second),
});

describe('analyseSequence', () => {
  it('finds missing ranges, repeats, late arrivals and the next number', () => {
    const report = analyseSequence([
      ev('e1', 1, 1),
      ev('e2', 2, 2),
      ev('e4', 4, 3),
      ev('e3', 3, 4),
      ev('e7', 7, 5),
      ev('e7b', 7, 6),
      ev('e8', 8, 7),
      ev('e12', 12, 8),
    ]);
    expect(report).toEqual({
      events: 8,
      first_sequence: 1,
      last_sequence: 12,
      missing: [
        { from: 5, to: 6, count: 2 },
        { from: 9, to: 11, count: 3 },
      ],
      missing_count: 5,
      repeated: [{ sequence: 7, event_ids: ['e7', 'e7b'] }],
      out_of_order: [{ sequence: 3, event_id: 'e3', received_at: at(4), after_sequence: 4 }],
      next_expected: 13,
    });
  });

  it('orders by arrival, not by the order given', () => {
    const report = analyseSequence([ev('b', 2, 2), ev('a', 1, 1)]);
    expect(report.out_of_order).toEqual([]);
    expect(report.missing).toEqual([]);
    expect(report.next_expected).toBe(3);
  });

  it('answers nulls for an entity with no sequenced events', () => {
    expect(analyseSequence([])).toEqual({
      events: 0,
      first_sequence: null,
      last_sequence: null,
      missing: [],
      missing_count: 0,
      repeated: [],
      out_of_order: [],
      next_expected: null,
    });
  });
});
