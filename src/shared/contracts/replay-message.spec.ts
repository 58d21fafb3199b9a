import fc from 'fast-check';
import {
  asciiJson,
  fullBody,
  labelsOf,
  messageBytes,
  parseReplayMessage,
  toOutgoing,
} from './replay-message';
import { cloudEvent } from './cloud-event';

describe('labelsOf', () => {
  it('reads the replay id, event id, source and type a body names', () => {
    const id = 'b'.repeat(32);
    expect(
      labelsOf(JSON.stringify({ replay_id: 'r-1', event_id: id, source: 's', type: 't', other: 1 })),
    ).toEqual({ replay_id: 'r-1', event_id: id, source: 's', type: 't' });
  });

  it('answers nothing for poison bodies and leaves out malformed fields', () => {
    expect(labelsOf('not json')).toEqual({});
    expect(labelsOf('null')).toEqual({});
    expect(labelsOf('[1]')).toEqual({});
    expect(labelsOf(JSON.stringify({ replay_id: 7, event_id: 'XYZ', source: '' }))).toEqual({});
  });
});

describe('the replay message body', () => {
  const event = {
    event_id: 'a'.repeat(32),
    s3_key: 'raw/x.json',
    payload_sha256: 'b'.repeat(64),
    source: 'orders-svc',
    type: 'заказ😀',
    entity_id: 'é#😀\u200b/%',
    occurred_at: '0000-01-01T00:00:00.000Z',
  };

  it('is ASCII, and parses back to the very event', () => {
    const { body } = toOutgoing('r-1', event, '0');
    expect(body).toMatch(/^[\x20-\x7e]*$/);
    expect(parseReplayMessage(body)).toEqual({ replay_id: 'r-1', ...event, format: 'pointer' });
  });

  it('lists the pointer fields in the documented order, s3_range right after s3_key when present', () => {
    const order = (body: string) => Object.keys(JSON.parse(body) as object);
    const pointer = ['replay_id', 'event_id', 's3_key', 'payload_sha256', 'source', 'type', 'entity_id'];
    expect(order(toOutgoing('r-1', event, '0').body)).toEqual([...pointer, 'occurred_at']);
    const ranged = { ...event, s3_range: [10, 99] as [number, number] };
    expect(order(toOutgoing('r-1', ranged, '0').body)).toEqual([
      ...pointer.slice(0, 3),
      's3_range',
      ...pointer.slice(3),
      'occurred_at',
    ]);
    expect(parseReplayMessage(toOutgoing('r-1', ranged, '0').body).s3_range).toEqual([10, 99]);
  });

  it('counts a message as SQS does: UTF-8 bytes of the body and of each attribute name, type and value', () => {
    expect(messageBytes('{}')).toBe(2);
    // 'é' is 2 bytes, '😀' 4; each attribute adds its name, 'String' and its value.
    expect(messageBytes('é', { type: '😀', a: '' })).toBe(2 + (4 + 6 + 4) + (1 + 6 + 0));
  });

  it('escapes DEL, Latin-1 and lone surrogates too, and leaves plain ASCII as it is', () => {
    expect(asciiJson('a\u007fb')).toBe('"a\\u007fb"');
    expect(asciiJson('é')).toBe('"\\u00e9"');
    expect(asciiJson('\ud800')).toBe('"\\ud800"');
    expect(asciiJson({ a: 'plain ~ text' })).toBe('{"a":"plain ~ text"}');
  });

  it('escapes only past ASCII and reads the same as plain JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string({ unit: 'grapheme' }), (value, text) => {
        const doc = { value, text };
        const ascii = asciiJson(doc);
        expect(ascii).not.toMatch(/[\u007f-\uffff]/);
        expect(JSON.parse(ascii)).toEqual(JSON.parse(JSON.stringify(doc)));
      }),
    );
  });
});

describe('the full and cloudevents formats', () => {
  const event = {
    event_id: 'c'.repeat(32),
    s3_key: 'raw/batches/b.ndjson',
    s3_range: [10, 99] as [number, number],
    payload_sha256: 'd'.repeat(64),
    source: 'orders-svc',
    type: 'order.paid',
    entity_id: 'order-ü',
    occurred_at: '2026-11-25T10:00:00.000Z',
  };
  const raw = '{"source":"orders-svc", "payload":{"amount":1.50,"note":"été 😀"}}';

  it('carries the raw event text inline in a full body, escaped to ASCII, and parses it back', () => {
    const body = fullBody('r-1', event, { text: raw });
    expect(body).toMatch(/^[\x20-\x7e]*$/);
    // The stored text itself, not a re-serialisation: 1.50 and the space stay.
    expect(body).toContain('"event":{"source":"orders-svc", "payload":{"amount":1.50,');
    expect(parseReplayMessage(body)).toEqual({
      replay_id: 'r-1',
      ...event,
      format: 'full',
      event: JSON.parse(raw) as Record<string, unknown>,
    });
  });

  it('says why a full body carries no event', () => {
    const body = fullBody('r-1', event, { omitted: 'too_large' });
    expect(JSON.parse(body)).toMatchObject({ format: 'full', event_omitted: 'too_large' });
    expect(parseReplayMessage(body)).toMatchObject({ format: 'full', omitted: 'too_large' });
    expect(parseReplayMessage(body)).not.toHaveProperty('event');
  });

  it('maps a CloudEvent onto the replay message, extensions named by the spec rule', () => {
    const ce = cloudEvent('r-1', event, { data: { amount: 1.5 } });
    for (const name of Object.keys(ce)) if (name !== 'data') expect(name).toMatch(/^[a-z0-9]+$/);
    expect(ce).toMatchObject({
      specversion: '1.0',
      id: event.event_id,
      source: 'orders-svc',
      type: 'order.paid',
      time: event.occurred_at,
      subject: event.entity_id,
      datacontenttype: 'application/json',
      pipescopereplayid: 'r-1',
      pipescopepayloadsha256: event.payload_sha256,
      pipescopes3range: '10-99',
    });
    expect(parseReplayMessage(asciiJson(ce))).toEqual({
      replay_id: 'r-1',
      ...event,
      format: 'cloudevents',
      data: { amount: 1.5 },
    });
    expect(labelsOf(asciiJson(ce))).toEqual({
      replay_id: 'r-1',
      event_id: event.event_id,
      source: 'orders-svc',
      type: 'order.paid',
    });
    const omitted = cloudEvent('r-1', event, { omitted: 'too_large' });
    expect(omitted).not.toHaveProperty('data');
    expect(parseReplayMessage(asciiJson(omitted))).toMatchObject({ omitted: 'too_large' });
  });

  it('refuses other CloudEvents versions and CloudEvents without the pipescope extensions', () => {
    const ce = cloudEvent('r-1', event, { data: {} });
    expect(() => parseReplayMessage(JSON.stringify({ ...ce, specversion: '0.3' }))).toThrow(/format/);
    expect(() => parseReplayMessage(JSON.stringify({ ...ce, pipescopereplayid: undefined }))).toThrow(
      /replay_id/,
    );
    expect(() => parseReplayMessage(JSON.stringify({ ...ce, pipescopes3range: 'x' }))).toThrow(/s3_range/);
  });
});
