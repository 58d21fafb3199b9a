import { AUTH_OFF } from '../shared/auth/caller';
import { AppError } from '../shared/errors/app-error';
import type { EventRecord } from '../shared/events/event-index';
import { validateIngestEvent } from './ingest.dto';
import { eventRecord, prepareEvent, Prepared, Settled } from './ingest-model';
import { batchCleanup, singleObjectUnreferenced } from './raw-cleanup';

const RECEIVED = Date.parse('2026-11-25T10:00:00Z');
const ctx = { requestId: 'r', receivedAt: RECEIVED, caller: AUTH_OFF };

function prepared(index: number): Prepared {
  const checked = validateIngestEvent({
    source: 'orders-svc',
    type: 'order.created',
    entity_id: `e${index}`,
    occurred_at: '2026-11-25T09:00:00Z',
    payload: {},
    idempotency_key: `k${index}`,
  });
  if (!checked.ok) throw new Error('invalid fixture');
  return prepareEvent(index, checked.event, Buffer.from('{}'), RECEIVED, 60_000);
}

const stored = (p: Prepared, key: string): EventRecord => eventRecord(p, ctx, key);
const accepted = (p: Prepared, key: string): Settled => ({ outcome: 'accepted', record: stored(p, key) });
const duplicate = (p: Prepared, key: string): Settled => ({ outcome: 'duplicate', record: stored(p, key) });
const conflict = (p: Prepared, key: string): Settled => ({
  outcome: 'conflict',
  stored: stored(p, key),
  differs: ['payload'],
});
const failed: Settled = { outcome: 'failed', error: new AppError('STORAGE.UNAVAILABLE', 'down') };

describe('raw cleanup', () => {
  it('removes a single object only when the stored event keeps its bytes elsewhere', () => {
    const p = prepared(0);
    expect(singleObjectUnreferenced(conflict(p, 'raw/other'), 'raw/mine')).toBe(true);
    expect(singleObjectUnreferenced(duplicate(p, 'raw/other'), 'raw/mine')).toBe(true);
    expect(singleObjectUnreferenced(duplicate(p, 'raw/mine'), 'raw/mine')).toBe(false);
    expect(singleObjectUnreferenced(accepted(p, 'raw/mine'), 'raw/mine')).toBe(false);
    expect(singleObjectUnreferenced(failed, 'raw/mine')).toBe(false);
  });

  describe('a batch object', () => {
    const [a, b, c] = [prepared(0), prepared(1), prepared(2)];
    const plan = (outcomes: Settled[]) =>
      batchCleanup([a, b, c], new Map(outcomes.map((s, i) => [i, s])), 'raw/batch');

    it('stays when every item it holds was accepted', () => {
      expect(plan([accepted(a, 'raw/batch'), accepted(b, 'raw/batch'), accepted(c, 'raw/batch')])).toEqual({
        action: 'none',
      });
    });

    it('is rewritten with the accepted items when others lost their claim to another request', () => {
      expect(plan([accepted(a, 'raw/batch'), conflict(b, 'raw/x'), duplicate(c, 'raw/y')])).toEqual({
        action: 'rewrite',
        keep: [a],
      });
    });

    it('is deleted when no item was accepted', () => {
      expect(plan([conflict(a, 'raw/x'), conflict(b, 'raw/x'), duplicate(c, 'raw/y')])).toEqual({
        action: 'delete',
      });
    });

    it('stays when a claim failed: it may have landed pointing here', () => {
      expect(plan([failed, conflict(b, 'raw/x'), accepted(c, 'raw/batch')])).toEqual({ action: 'none' });
    });

    it('stays when a duplicate points at it: a concurrent copy of this batch shares it', () => {
      expect(plan([accepted(a, 'raw/batch'), duplicate(b, 'raw/batch'), conflict(c, 'raw/x')])).toEqual({
        action: 'none',
      });
    });
  });
});
