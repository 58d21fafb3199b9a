import fc from 'fast-check';
import { MAX_BATCH_EVENTS } from '../shared/contracts/ingest-limits';
import type { Caller } from '../shared/auth/caller';
import { SourceScope } from '../shared/auth/source-scope';
import { AppError } from '../shared/errors/app-error';
import type { EventRecord } from '../shared/events/event-index';
import { eventId, payloadSha256 } from '../shared/identity/event-identity';
import { validateIngestEvent, ValidEvent } from './ingest.dto';
import {
  batchProblems,
  batchResult,
  checkEvent,
  eventRecord,
  FUTURE_TOLERANCE_MS,
  identityDifferences,
  itemResult,
  labelOf,
  ndjsonObject,
  prepareEvent,
  singleResult,
  splitRepeats,
} from './ingest-model';

const valid = (overrides: Record<string, unknown> = {}): ValidEvent => {
  const checked = validateIngestEvent({
    source: 'orders-svc',
    type: 'order.created',
    entity_id: 'order-1',
    occurred_at: '2026-11-25T12:00:00+02:00',
    payload: { amount: 5 },
    ...overrides,
  });
  if (!checked.ok) throw new Error(JSON.stringify(checked.problems));
  return checked.event;
};
const RECEIVED = Date.parse('2026-11-25T10:00:02.500Z');
const producer: Caller = { id: 'orders-key', role: 'producer', scope: SourceScope.parse('orders-*') };
const ctx = { requestId: 'req-1', receivedAt: RECEIVED, caller: producer };

describe('ingest model', () => {
  describe('prepareEvent', () => {
    it('normalises occurred_at to UTC and derives identity, lag and flags', () => {
      const event = valid();
      const p = prepareEvent(3, event, Buffer.from('{}'), RECEIVED, 1_000);
      expect(p).toMatchObject({
        index: 3,
        occurredAt: '2026-11-25T10:00:00.000Z',
        lagMs: 2_500,
        late: true,
        future: false,
        eventId: eventId(event),
        payloadSha256: payloadSha256({ amount: 5 }),
      });
    });

    it('is late only strictly above the threshold and future only beyond the tolerance', () => {
      expect(prepareEvent(0, valid(), Buffer.alloc(0), RECEIVED, 2_500).late).toBe(false);
      const ahead = new Date(RECEIVED + FUTURE_TOLERANCE_MS + 1).toISOString();
      const p = prepareEvent(0, valid({ occurred_at: ahead }), Buffer.alloc(0), RECEIVED, 1_000);
      expect(p).toMatchObject({ future: true, late: false, lagMs: -(FUTURE_TOLERANCE_MS + 1) });
      const edge = new Date(RECEIVED + FUTURE_TOLERANCE_MS).toISOString();
      expect(prepareEvent(0, valid({ occurred_at: edge }), Buffer.alloc(0), RECEIVED, 1_000).future).toBe(
        false,
      );
    });
  });

  describe('batchProblems', () => {
    it('finds nothing wrong with a well-shaped body', () => {
      expect(batchProblems({ events: [1, 2] }, ['events'])).toEqual([]);
    });

    it.each([
      [[], '(body)'],
      [null, '(body)'],
      [{}, 'events'],
      [{ events: [] }, 'events'],
      [{ events: new Array(MAX_BATCH_EVENTS + 1).fill({}) }, 'events'],
      [{ events: [{}], extra: 1 }, 'extra'],
    ])('names the field for %j', (body, field) => {
      expect(batchProblems(body, []).map((p) => p.field)).toContain(field);
    });

    it('refuses a repeated events key, which parsers read differently', () => {
      expect(batchProblems({ events: [1] }, ['events', 'events'])).toEqual([
        { field: 'events', message: 'the key appears more than once in the body' },
      ]);
    });

    it('keeps the problems of a body with countless unknown keys small', () => {
      const body = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`.repeat(50), 1]));
      const problems = batchProblems({ ...body, events: [1] }, []);
      expect(problems).toHaveLength(11);
      expect(JSON.stringify(problems).length).toBeLessThan(2000);
    });
  });

  describe('checkEvent', () => {
    const limits = { maxEventBytes: 1000, maxPayloadDepth: 3, lateThresholdMs: () => 1_000 };
    const check = (value: unknown, text = JSON.stringify(value)) =>
      checkEvent(4, value, Buffer.from(text), limits, RECEIVED);

    it('prepares a valid, portable event', () => {
      const event = { ...valid() };
      const checked = check(event);
      expect(checked.ok && checked.prepared).toMatchObject({ index: 4, eventId: eventId(valid()) });
    });

    it('refuses an item over the single-event limit before reading it', () => {
      expect(checkEvent(4, {}, Buffer.alloc(1001), limits, RECEIVED)).toEqual({
        ok: false,
        code: 'INGEST.VALIDATION_FAILED',
        problems: [{ field: 'events[4]', message: 'the event is 1001 bytes; at most 1000 are allowed' }],
      });
    });

    it('names what other parsers would read differently, with the event problems', () => {
      const text =
        '{"source":"s","type":"t","entity_id":"e","occurred_at":"2026-11-25T10:00:00Z","payload":{"n":1e400}}';
      const checked = checkEvent(0, JSON.parse(text), Buffer.from(text), limits, RECEIVED);
      expect(checked.ok ? [] : checked.problems.map((p) => p.field)).toEqual(['payload.n']);
    });

    it('refuses a payload nested past the limit as INGEST.PAYLOAD_TOO_DEEP, naming the field', () => {
      expect(check({ ...valid(), payload: { a: { b: { c: 1 } } } }).ok).toBe(true);
      expect(check({ ...valid(), payload: { a: { b: { c: {} } } } })).toEqual({
        ok: false,
        code: 'INGEST.PAYLOAD_TOO_DEEP',
        problems: [{ field: 'payload.a.b.c', message: 'payload.a.b.c is nested deeper than 3 levels' }],
      });
    });

    it('reads a payload a hundred thousand levels deep without overflowing the stack', () => {
      let payload: unknown = 1;
      for (let i = 0; i < 100_000; i++) payload = { a: payload };
      const checked = checkEvent(0, { ...valid(), payload }, Buffer.from('{}'), limits, RECEIVED);
      expect(checked).toMatchObject({ ok: false, code: 'INGEST.PAYLOAD_TOO_DEEP' });
    });

    it('never throws, whatever the value', () => {
      fc.assert(
        fc.property(fc.anything(), (value) => {
          const text = JSON.stringify(value) ?? 'null';
          expect(() => checkEvent(0, value, Buffer.from(text), limits, RECEIVED)).not.toThrow();
        }),
      );
    });
  });

  it('keeps the first occurrence of an id and lists later ones as repeats', () => {
    const a = prepareEvent(0, valid(), Buffer.from('a'), RECEIVED, 1_000);
    const b = prepareEvent(1, valid({ entity_id: 'order-2' }), Buffer.from('b'), RECEIVED, 1_000);
    const again = prepareEvent(2, valid(), Buffer.from('a2'), RECEIVED, 1_000);
    const { firsts, repeats } = splitRepeats([a, b, again]);
    expect([...firsts.values()].map((p) => p.index)).toEqual([0, 1]);
    expect(repeats.map((p) => p.index)).toEqual([2]);
  });

  it('lays items out as NDJSON with inclusive byte ranges that read each item back', () => {
    const items = ['{"a":1}', '{"bb":22}'].map((text, i) =>
      prepareEvent(i * 2, valid({ entity_id: `e${i}` }), Buffer.from(text), RECEIVED, 1_000),
    );
    const { body, ranges } = ndjsonObject(items);
    expect(body.toString()).toBe('{"a":1}\n{"bb":22}\n');
    expect(ranges.get(0)).toEqual([0, 6]);
    expect(ranges.get(2)).toEqual([8, 16]);
    const [s, e] = ranges.get(2)!;
    expect(body.subarray(s, e + 1).toString()).toBe('{"bb":22}');
  });

  it('builds the index record of a prepared event', () => {
    const p = prepareEvent(
      0,
      valid({ sequence: 7, idempotency_key: 'k1' }),
      Buffer.from('xyz'),
      RECEIVED,
      1_000,
    );
    expect(eventRecord(p, ctx, 'raw/k', [3, 5])).toEqual({
      event_id: p.eventId,
      source: 'orders-svc',
      type: 'order.created',
      entity_id: 'order-1',
      occurred_at: '2026-11-25T10:00:00.000Z',
      received_at: '2026-11-25T10:00:02.500Z',
      lag_ms: 2_500,
      late: true,
      future: false,
      sequence: 7,
      idempotency_key: 'k1',
      schema_version: undefined,
      payload_sha256: p.payloadSha256,
      size_bytes: 3,
      s3_key: 'raw/k',
      s3_range: [3, 5],
      request_id: 'req-1',
      key_id: 'orders-key',
      duplicate_count: 0,
      conflict_count: 0,
    });
  });

  describe('answers', () => {
    const p = prepareEvent(1, valid({ idempotency_key: 'k1' }), Buffer.from('{}'), RECEIVED, 1_000);
    const stored: EventRecord = { ...eventRecord(p, ctx, 'raw/k'), payload_sha256: 'f'.repeat(64) };

    it('answers a single accepted event and a duplicate', () => {
      expect(singleResult(p, { outcome: 'accepted', record: stored }, ctx, 'raw/k')).toEqual({
        event_id: p.eventId,
        status: 'accepted',
        received_at: '2026-11-25T10:00:02.500Z',
        s3_key: 'raw/k',
        lag_ms: 2_500,
        late: true,
        future: false,
      });
      const dup = { ...stored, received_at: '2026-11-25T09:00:00.000Z', duplicate_count: 2 };
      expect(singleResult(p, { outcome: 'duplicate', record: dup }, ctx, 'raw/k')).toEqual({
        event_id: p.eventId,
        status: 'duplicate',
        received_at: '2026-11-25T10:00:02.500Z',
        first_received_at: '2026-11-25T09:00:00.000Z',
        duplicate_count: 2,
      });
    });

    const conflict = { outcome: 'conflict' as const, stored, differs: identityDifferences(p, stored) };

    it('throws a conflict naming what differs and both payload hashes', () => {
      expect(() => singleResult(p, conflict, ctx, 'raw/k')).toThrow(
        expect.objectContaining({
          code: 'INGEST.IDEMPOTENCY_CONFLICT',
          message: expect.stringContaining('a different payload'),
          details: {
            event_id: p.eventId,
            differing_fields: ['payload'],
            stored_payload_sha256: 'f'.repeat(64),
            received_payload_sha256: p.payloadSha256,
          },
        }),
      );
    });

    it("hides the stored payload's hash from a key whose sources do not cover the stored event", () => {
      const elsewhere = { ...conflict, stored: { ...stored, source: 'billing' } };
      const err = itemResult(p, elsewhere, producer).error;
      expect(err?.details).toEqual({
        event_id: p.eventId,
        differing_fields: ['payload'],
        received_payload_sha256: p.payloadSha256,
      });
      const all: Caller = { ...producer, scope: SourceScope.ALL };
      expect(itemResult(p, elsewhere, all).error?.details).toHaveProperty('stored_payload_sha256');
    });

    it('tallies batch items by outcome', () => {
      const failed = new AppError('STORAGE.UNAVAILABLE', 'down');
      const results = [
        itemResult(p, { outcome: 'accepted', record: stored }, producer),
        itemResult(p, conflict, producer),
        itemResult(p, { outcome: 'failed', error: failed }, producer),
      ];
      expect(results[1]).toMatchObject({
        status: 'conflict',
        error: { code: 'INGEST.IDEMPOTENCY_CONFLICT' },
      });
      expect(results[2]).toEqual({
        index: 1,
        event_id: p.eventId,
        status: 'failed',
        error: { code: 'STORAGE.UNAVAILABLE', message: 'down' },
      });
      expect(batchResult(results)).toMatchObject({
        accepted: 1,
        duplicates: 0,
        conflicts: 1,
        rejected: 0,
        failed: 1,
      });
    });
  });

  describe('identityDifferences', () => {
    const p = prepareEvent(0, valid({ idempotency_key: 'k1' }), Buffer.from('{}'), RECEIVED, 1_000);
    const stored = eventRecord(p, ctx, 'raw/k');

    it('finds none for the same event, whatever its sequence or schema version', () => {
      const again = prepareEvent(
        0,
        valid({ idempotency_key: 'k1', sequence: 9 }),
        Buffer.from('{ }'),
        RECEIVED,
        0,
      );
      expect(identityDifferences(again, stored)).toEqual([]);
    });

    it.each([
      [{ type: 'order.paid' }, ['type']],
      [{ entity_id: 'order-2' }, ['entity_id']],
      [{ occurred_at: '2026-11-25T12:00:00.001+02:00' }, ['occurred_at']],
      [{ payload: { amount: 6 } }, ['payload']],
      [{ type: 'x', payload: {} }, ['type', 'payload']],
    ])('names each identity field that differs: %j', (change, fields) => {
      const other = prepareEvent(
        0,
        valid({ idempotency_key: 'k1', ...change }),
        Buffer.from('{}'),
        RECEIVED,
        0,
      );
      expect(identityDifferences(other, stored)).toEqual(fields);
    });

    it('treats the same instant in another offset as the same occurred_at', () => {
      const utc = prepareEvent(
        0,
        valid({ idempotency_key: 'k1', occurred_at: '2026-11-25T10:00:00Z' }),
        Buffer.from('{}'),
        RECEIVED,
        0,
      );
      expect(identityDifferences(utc, stored)).toEqual([]);
    });
  });

  it('uses a field of an invalid value as a label only when it is a valid label', () => {
    expect(labelOf({ source: 'billing' }, 'source')).toBe('billing');
    expect(labelOf({ source: 'Not Valid' }, 'source')).toBe('~');
    expect(labelOf(undefined, 'type')).toBe('~');
    expect(labelOf({ type: 'order.created' }, 'type')).toBe('order.created');
    for (const type of ['x\ud800', 'bell\u0007', 'non\uffff', '__proto__', 'a b']) {
      expect(labelOf({ type }, 'type')).toBe('~');
    }
  });
});
