import { labelsOf } from './replay-message';

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
