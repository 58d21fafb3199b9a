import { validateIngestEvent } from './ingest.dto';

const good = {
  source: 'orders-svc',
  type: 'order.created',
  entity_id: 'order-123',
  occurred_at: '2026-11-25T10:00:00.123Z',
  payload: { amount: 1 },
};

const fieldsOf = (value: unknown): string[] => {
  const r = validateIngestEvent(value, 32);
  return r.ok ? [] : r.problems.map((p) => p.field);
};

describe('validateIngestEvent', () => {
  it('accepts a minimal and a full event', () => {
    expect(validateIngestEvent(good, 32).ok).toBe(true);
    const full = {
      ...good,
      idempotency_key: 'k',
      sequence: 0,
      schema_version: '2',
      occurred_at: '2026-11-25T12:00:00+02:00',
    };
    expect(validateIngestEvent(full, 32).ok).toBe(true);
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
  ])('rejects %o naming %s', (value, field) => {
    expect(fieldsOf(value)).toContain(field);
  });

  it('reports every missing field at once', () => {
    expect(new Set(fieldsOf({}))).toEqual(new Set(['source', 'type', 'entity_id', 'occurred_at', 'payload']));
  });

  it('rejects a body that is not an object', () => {
    expect(fieldsOf([good])).toEqual(['(body)']);
    expect(fieldsOf('x')).toEqual(['(body)']);
  });

  it('refuses a payload nested deeper than the limit as INGEST.PAYLOAD_TOO_DEEP, naming the field', () => {
    const deep = { ...good, payload: { a: { b: { c: 1 } } } };
    expect(validateIngestEvent(deep, 3).ok).toBe(true);
    expect(validateIngestEvent(deep, 2)).toEqual({
      ok: false,
      code: 'INGEST.PAYLOAD_TOO_DEEP',
      problems: [{ field: 'payload.a.b', message: 'payload.a.b is nested deeper than 2 levels' }],
    });
  });

  it('names a payload number outside the double range, with the other problems', () => {
    const r = validateIngestEvent(
      { ...good, type: 'a b', payload: JSON.parse('{"n":[1e400]}') as object },
      32,
    );
    expect(r).toMatchObject({ ok: false, code: 'INGEST.VALIDATION_FAILED' });
    expect(r.ok ? [] : r.problems.map((p) => p.field)).toEqual(['type', 'payload.n[0]']);
  });
});
