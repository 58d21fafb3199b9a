import { validateIngestEvent } from './ingest.dto';

const good = {
  source: 'orders-svc',
  type: 'order.created',
  entity_id: 'order-123',
  occurred_at: '2026-11-25T10:00:00.123Z',
  payload: { amount: 1 },
};

const fieldsOf = (value: unknown): string[] => {
  const r = validateIngestEvent(value);
  return r.ok ? [] : r.problems.map((p) => p.field);
};

describe('validateIngestEvent', () => {
  it('accepts a minimal and a full event', () => {
    expect(validateIngestEvent(good).ok).toBe(true);
    const full = {
      ...good,
      idempotency_key: 'k',
      sequence: 0,
      schema_version: '2',
      occurred_at: '2026-11-25T12:00:00+02:00',
    };
    expect(validateIngestEvent(full).ok).toBe(true);
  });

  it.each([
    [{ ...good, source: 'Orders' }, 'source'],
    [{ ...good, source: '' }, 'source'],
    [{ ...good, source: 'a'.repeat(65) }, 'source'],
    [{ ...good, type: 'order created' }, 'type'],
    [{ ...good, entity_id: 'a\u0000b' }, 'entity_id'],
    [{ ...good, entity_id: 'x'.repeat(257) }, 'entity_id'],
    [{ ...good, occurred_at: '2026-11-25T10:00:00' }, 'occurred_at'],
    [{ ...good, occurred_at: '2026-02-31T10:00:00Z' }, 'occurred_at'],
    [{ ...good, occurred_at: 1732528800000 }, 'occurred_at'],
    [{ ...good, payload: [1, 2] }, 'payload'],
    [{ ...good, payload: null }, 'payload'],
    [{ ...good, sequence: -1 }, 'sequence'],
    [{ ...good, sequence: 1.5 }, 'sequence'],
    [{ ...good, sequence: '3' }, 'sequence'],
    [{ ...good, extra: true }, 'extra'],
    [{ ...good, type: 'order\u0001created' }, 'type'],
    [{ ...good, type: '__proto__' }, 'type'],
    [{ ...good, entity_id: 'order-\ud800' }, 'entity_id'],
    [{ ...good, entity_id: 'order-\uffff' }, 'entity_id'],
    [{ ...good, idempotency_key: 'k\udc00' }, 'idempotency_key'],
    [{ ...good, schema_version: 'v\u0000' }, 'schema_version'],
    [{ ...good, occurred_at: '0000-01-01T00:00:00+01:00' }, 'occurred_at'],
    [{ ...good, occurred_at: '9999-12-31T23:59:59-01:00' }, 'occurred_at'],
    [{ ...good, occurred_at: '2026-06-30T23:59:60Z' }, 'occurred_at'],
  ])('rejects %o naming %s', (value, field) => {
    expect(fieldsOf(value)).toContain(field);
  });

  it.each([
    ['0000-01-01T00:00:00Z'],
    ['0000-01-01T00:59:59-00:59'],
    ['0000-02-29T00:00:00Z'],
    ['9999-12-31T23:59:59.999999999Z'],
    ['9999-12-31T23:59:59+23:59'],
    ['2026-11-25t10:00:00z'],
  ])('accepts occurred_at %s, which stays a four-digit year in UTC', (occurred_at) => {
    expect(fieldsOf({ ...good, occurred_at })).toEqual([]);
  });

  it('accepts text in any script, astral characters and separators', () => {
    const event = { ...good, type: 'заказ#создан😀', entity_id: 'a#b@c/d%e ~ 😀 é', idempotency_key: '#' };
    expect(fieldsOf(event)).toEqual([]);
  });

  it('never lets a key become the prototype or the class the validator looks up', () => {
    const value = JSON.parse(
      JSON.stringify({ ...good, source: 'Bad Source' }).replace('{', '{"__proto__":null,"constructor":1,'),
    );
    expect(fieldsOf(value)).toEqual(expect.arrayContaining(['__proto__', 'constructor', 'source']));
  });

  it('keeps the payload exactly as parsed', () => {
    const payload = JSON.parse('{"constructor":{"a":-0},"toString":[1e21]}');
    const checked = validateIngestEvent({ ...good, payload });
    expect(checked.ok && checked.event.payload).toBe(payload);
  });

  it('reports every missing field at once', () => {
    expect(new Set(fieldsOf({}))).toEqual(new Set(['source', 'type', 'entity_id', 'occurred_at', 'payload']));
  });

  it('rejects a body that is not an object', () => {
    expect(fieldsOf([good])).toEqual(['(body)']);
    expect(fieldsOf('x')).toEqual(['(body)']);
  });
});
