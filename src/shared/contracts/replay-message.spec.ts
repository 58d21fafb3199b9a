import fc from 'fast-check';
import { asciiJson, labelsOf, parseReplayMessage, toOutgoing } from './replay-message';

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
    expect(parseReplayMessage(body)).toEqual({ replay_id: 'r-1', ...event });
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
