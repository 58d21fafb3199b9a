import { eventId, payloadSha256 } from '../shared/identity/event-identity';
import { NORMALISED_SCHEMA, normaliseRaw } from './normalise';
import { parseReplayMessage } from '../shared/contracts/replay-message';

const event = {
  source: 'orders-svc',
  type: 'order.created',
  entity_id: 'order-1',
  occurred_at: '2026-11-25T12:00:00.5+02:00',
  payload: { b: 1, a: [1, 2] },
};

describe('normaliseRaw', () => {
  it('reduces the raw bytes to the normalised schema, with identity and payload hash recomputed', () => {
    const result = normaliseRaw(Buffer.from(JSON.stringify({ ...event, sequence: 3 })));
    expect(result).toEqual({
      ok: true,
      event: {
        schema: NORMALISED_SCHEMA,
        event_id: eventId(event),
        source: 'orders-svc',
        type: 'order.created',
        entity_id: 'order-1',
        occurred_at: '2026-11-25T10:00:00.500Z',
        payload_sha256: payloadSha256({ a: [1, 2], b: 1 }),
        payload: event.payload,
      },
    });
  });

  it('uses the idempotency key for the event id when there is one', () => {
    const withKey = { ...event, idempotency_key: 'k-1' };
    const result = normaliseRaw(Buffer.from(JSON.stringify(withKey)));
    expect(result.ok && result.event.event_id).toBe(eventId(withKey));
  });

  it.each([
    ['{"source":', 'not valid JSON'],
    ['[1]', 'not a JSON object'],
    [JSON.stringify({ ...event, payload: 'x' }), 'payload'],
    [JSON.stringify({ ...event, entity_id: undefined }), 'entity_id'],
    [JSON.stringify({ ...event, occurred_at: 'yesterday' }), 'occurred_at'],
    ['\ufeff' + JSON.stringify(event), 'not valid JSON'],
    [JSON.stringify(event).replace('"b":1', '"b":1,"b":2'), 'payload.b'],
  ])('refuses %s', (text, reason) => {
    const result = normaliseRaw(Buffer.from(text));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });
});

describe('parseReplayMessage', () => {
  const message = {
    replay_id: 'r-1',
    event_id: 'a'.repeat(32),
    s3_key: 'raw/x.json',
    payload_sha256: 'b'.repeat(64),
    source: 'orders-svc',
    type: 'order.created',
    entity_id: 'order-1',
    occurred_at: '2026-11-25T10:00:00.000Z',
  };

  it('accepts the replay contract, with or without a byte range', () => {
    expect(parseReplayMessage(JSON.stringify(message))).toEqual({ ...message, format: 'pointer' });
    expect(parseReplayMessage(JSON.stringify({ ...message, s3_range: [0, 9] })).s3_range).toEqual([0, 9]);
  });

  it.each([
    ['not json', /not JSON/],
    ['[]', /not a JSON object/],
    [JSON.stringify({ ...message, event_id: 'x' }), /event_id/],
    [JSON.stringify({ ...message, payload_sha256: undefined }), /payload_sha256/],
    [JSON.stringify({ ...message, s3_range: [5, 1] }), /s3_range/],
  ])('refuses %s', (body, pattern) => {
    expect(() => parseReplayMessage(body)).toThrow(pattern);
  });
});
