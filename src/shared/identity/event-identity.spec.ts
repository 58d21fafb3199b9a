import { createHash } from 'node:crypto';
import { canonicalJson, eventId, normaliseTime, payloadSha256 } from './event-identity';

const base = {
  source: 'orders-svc',
  type: 'order.created',
  entity_id: 'order-123',
  occurred_at: '2026-11-25T10:00:00.123Z',
  payload: { amount: 12.5, currency: 'EUR', items: [{ sku: 'a', qty: 1 }] },
};

describe('canonical JSON (RFC 8785)', () => {
  it('sorts keys by UTF-16 code units and drops whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 2], c: null }, '\u20ac': 'x', '\r': 'y' })).toBe(
      '{"\\r":"y","a":{"c":null,"d":[3,2]},"b":1,"€":"x"}',
    );
  });

  it('serialises numbers as ECMAScript does', () => {
    expect(canonicalJson([1e21, 1.5, -0, 100, 0.000001])).toBe('[1e+21,1.5,0,100,0.000001]');
  });

  it('keeps unicode as characters and escapes only what JSON requires', () => {
    expect(canonicalJson({ s: 'caf\u00e9 \ud83d\ude00 "q" \u0007' })).toBe('{"s":"café 😀 \\"q\\" \\u0007"}');
  });
});

describe('payloadSha256', () => {
  it('is the SHA-256 of the canonical payload', () => {
    expect(payloadSha256({ b: 2, a: 1 })).toBe(createHash('sha256').update('{"a":1,"b":2}').digest('hex'));
  });

  it('ignores key order and formatting', () => {
    expect(payloadSha256(JSON.parse('{ "b" : 2,\n "a": 1 }') as Record<string, unknown>)).toBe(
      payloadSha256({ a: 1, b: 2 }),
    );
  });

  // Vectors computed outside this code base (Python hashlib over the canonical text written by hand),
  // so a change in canonicalisation or hashing shows up here.
  it('pins a known vector', () => {
    // sha256('{"amount":12.5,"currency":"EUR","items":[{"qty":1,"sku":"a"}]}')
    expect(payloadSha256(base.payload)).toBe(
      '4721e694fc2e35153a64b4a32d7af450f22c9eb31876f66de8ef964ab4fcf3be',
    );
  });
});

describe('eventId', () => {
  it('pins known vectors for content identity and idempotency-key identity', () => {
    // sha256('{"entity_id":"order-123","occurred_at":"2026-11-25T10:00:00.123Z","payload":{...},
    //   "source":"orders-svc","type":"order.created","v":"pipescope.event-id.v1"}')[0:32]
    expect(eventId(base)).toBe('c15bccf4fd6002cfc62d94c733215ed0');
    // sha256('{"idempotency_key":"k-1","source":"orders-svc","v":"pipescope.event-id.v1"}')[0:32]
    expect(eventId({ ...base, idempotency_key: 'k-1' })).toBe('6a061d1be6890b82b9586e198aeaef51');
  });

  it('is 128 bits of hex', () => {
    expect(eventId(base)).toMatch(/^[0-9a-f]{32}$/);
  });

  it('normalises occurred_at to UTC milliseconds', () => {
    expect(normaliseTime('2026-11-25T12:00:00.123+02:00')).toBe('2026-11-25T10:00:00.123Z');
    expect(eventId({ ...base, occurred_at: '2026-11-25T12:00:00.123+02:00' })).toBe(eventId(base));
    expect(eventId({ ...base, occurred_at: '2026-11-25T10:00:00.124Z' })).not.toBe(eventId(base));
  });

  it('ignores payload key order but not payload content', () => {
    const reordered = { ...base, payload: { items: [{ qty: 1, sku: 'a' }], currency: 'EUR', amount: 12.5 } };
    expect(eventId(reordered)).toBe(eventId(base));
    expect(eventId({ ...base, payload: { ...base.payload, amount: 12.51 } })).not.toBe(eventId(base));
  });

  it('with an idempotency key depends only on source and key', () => {
    const a = eventId({ ...base, idempotency_key: 'k-1' });
    expect(eventId({ ...base, type: 'other', payload: { x: 1 }, idempotency_key: 'k-1' })).toBe(a);
    expect(eventId({ ...base, source: 'billing', idempotency_key: 'k-1' })).not.toBe(a);
  });
});
