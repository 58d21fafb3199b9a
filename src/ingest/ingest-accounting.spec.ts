import { AUTH_OFF } from '../shared/auth/caller';
import { AppError } from '../shared/errors/app-error';
import { bucketIndex } from '../shared/metrics/lag-histogram';
import { validateIngestEvent } from './ingest.dto';
import { requestCounts } from './ingest-accounting';
import { eventRecord, prepareEvent, Prepared } from './ingest-model';

const RECEIVED = Date.parse('2026-11-25T10:07:30.000Z');

function prepared(index: number, overrides: Record<string, unknown>, lagMs: number): Prepared {
  const checked = validateIngestEvent({
    source: 'orders-svc',
    type: 'order.created',
    entity_id: `e${index}`,
    occurred_at: new Date(RECEIVED - lagMs).toISOString(),
    payload: {},
    ...overrides,
  });
  if (!checked.ok) throw new Error('invalid fixture');
  return prepareEvent(index, checked.event, Buffer.alloc(10 * (index + 1)), RECEIVED, 60_000);
}

describe('requestCounts', () => {
  it('counts each outcome under its source and type, in the hour received', () => {
    const a = prepared(0, {}, 1_000);
    const late = prepared(1, {}, 120_000);
    const dup = prepared(2, {}, 5);
    const conflict = prepared(3, { type: 'order.paid' }, 5);
    const failed = prepared(4, {}, 5);
    const record = eventRecord(a, { requestId: 'r', receivedAt: RECEIVED, caller: AUTH_OFF }, 'k');
    const { rows, activity } = requestCounts(
      [
        { p: a, settled: { outcome: 'accepted', record } },
        { p: late, settled: { outcome: 'accepted', record } },
        { p: dup, settled: { outcome: 'duplicate', record } },
        { p: conflict, settled: { outcome: 'conflict', stored: record, differs: ['type'] } },
        { p: failed, settled: { outcome: 'failed', error: new AppError('STORAGE.UNAVAILABLE', 'x') } },
      ],
      [{ source: 'orders-svc', type: 'Bad Type' }, 42],
      RECEIVED,
    );
    const byKey = new Map(rows.map((r) => [`${r.source}|${r.type}`, r]));
    expect([...byKey.keys()].sort()).toEqual([
      'orders-svc|order.created',
      'orders-svc|order.paid',
      'orders-svc|~',
      '~|~',
    ]);
    const created = byKey.get('orders-svc|order.created')!;
    expect(created).toMatchObject({
      hour: '2026-11-25T10',
      received: 3,
      accepted: 2,
      duplicates: 1,
      late: 1,
      bytes: 10 + 20,
      lag_sum_ms: 121_000,
      lag_max_ms: 120_000,
    });
    expect(created.lag_buckets[bucketIndex(1_000)]).toBeGreaterThanOrEqual(1);
    expect(created.lag_buckets.reduce((x, y) => x + y, 0)).toBe(2);
    expect(byKey.get('orders-svc|order.paid')).toMatchObject({ received: 1, conflicts: 1, accepted: 0 });
    expect(byKey.get('orders-svc|~')).toMatchObject({ received: 1, rejected: 1 });
    expect(byKey.get('~|~')).toMatchObject({ received: 1, rejected: 1 });
    // Only readable sources are active; the minute is 10:07 of the received day.
    expect(activity).toEqual([{ source: 'orders-svc', day: '2026-11-25', minutes: [607] }]);
  });

  it('counts a negative lag (an event from the future) as zero in the histogram', () => {
    const ahead = prepared(0, {}, -30_000);
    const record = eventRecord(ahead, { requestId: 'r', receivedAt: RECEIVED, caller: AUTH_OFF }, 'k');
    const { rows } = requestCounts([{ p: ahead, settled: { outcome: 'accepted', record } }], [], RECEIVED);
    expect(rows[0]).toMatchObject({ lag_sum_ms: 0, lag_max_ms: 0 });
    expect(rows[0].lag_buckets[bucketIndex(0)]).toBe(1);
  });
});
