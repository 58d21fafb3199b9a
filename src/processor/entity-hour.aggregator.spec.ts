import { entityHourAggregator as agg } from './entity-hour.aggregator';
import type { NormalisedEvent } from './normalise';

const event = (id: string, type: string, at: string, entity = 'order-1'): NormalisedEvent => ({
  schema: 'pipescope.normalised.v1',
  event_id: id,
  source: 'orders-svc',
  type,
  entity_id: entity,
  occurred_at: at,
  payload_sha256: id.repeat(64).slice(0, 64),
  payload: {},
});

describe('entity_hour aggregator', () => {
  it('buckets every event by entity and UTC hour', () => {
    expect(agg.bucketOf(event('a', 't', '2026-11-25T10:59:59.999Z', 'u@x/1'))).toEqual({
      entity_id: 'u@x/1',
      period: '2026-11-25T10',
    });
  });

  it('counts by type and finds the first and last occurrence', () => {
    const value = agg.compute([
      event('b', 'order.paid', '2026-11-25T10:30:00.000Z'),
      event('a', 'order.created', '2026-11-25T10:05:00.000Z'),
      event('c', 'order.created', '2026-11-25T10:45:00.000Z'),
    ]);
    expect(value).toEqual({
      count: 3,
      by_type: { 'order.created': 2, 'order.paid': 1 },
      first_occurred_at: '2026-11-25T10:05:00.000Z',
      last_occurred_at: '2026-11-25T10:45:00.000Z',
    });
    expect(Object.keys(value.by_type)).toEqual(['order.created', 'order.paid']);
  });

  it('counts types named like Object.prototype members as any other', () => {
    const value = agg.compute([
      event('a', 'constructor', '2026-11-25T10:05:00.000Z'),
      event('b', 'toString', '2026-11-25T10:06:00.000Z'),
      event('c', 'constructor', '2026-11-25T10:07:00.000Z'),
    ]);
    expect(value.by_type).toEqual({ constructor: 2, toString: 1 });
  });

  it('gives an empty value for no inputs', () => {
    expect(agg.compute([])).toEqual({
      count: 0,
      by_type: {},
      first_occurred_at: null,
      last_occurred_at: null,
    });
  });

  it('adds inputs to a value exactly as computing them all at once', () => {
    const all = Array.from({ length: 40 }, (_, i) =>
      event(
        `e${i}`,
        ['x', 'y', 'constructor'][i % 3],
        `2026-11-25T10:${String((i * 37) % 60).padStart(2, '0')}:00.000Z`,
      ),
    );
    let value = agg.compute(all.slice(0, 5));
    for (let i = 5; i < all.length; i += 6) value = agg.add!(value, all.slice(i, i + 6));
    expect(value).toEqual(agg.compute([...all].reverse()));
  });

  it('diffs two values field by field, a type missing on one side counting 0', () => {
    const from = agg.compute([
      event('a', 'x', '2026-11-25T10:00:00.000Z'),
      event('b', 'y', '2026-11-25T10:10:00.000Z'),
    ]);
    const to = agg.compute([
      event('a', 'x', '2026-11-25T10:00:00.000Z'),
      event('c', 'x', '2026-11-25T10:20:00.000Z'),
    ]);
    expect(agg.diff!(from, to)).toEqual([
      { field: 'last_occurred_at', from: '2026-11-25T10:10:00.000Z', to: '2026-11-25T10:20:00.000Z' },
      { field: 'by_type.x', from: 1, to: 2 },
      { field: 'by_type.y', from: 1, to: 0 },
    ]);
    expect(agg.diff!(from, from)).toEqual([]);
  });
});
