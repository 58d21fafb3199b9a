import { lineageKey, lineageOf } from './lineage';
import type { AggregateVersion, Contribution } from './aggregate-store';

describe('lineage', () => {
  it('names one file per commit under the day it was computed', () => {
    expect(lineageKey('2026-11-25T10:04:00.000Z', 'c0ffee')).toBe('lineage/date=2026-11-25/c0ffee.json');
  });

  it('lists each version with the inputs it added, in input order, without their version number', () => {
    const input = (id: string, at: string): Contribution => ({
      event_id: id,
      payload_sha256: id.repeat(64).slice(0, 64),
      source: 's',
      type: 't',
      occurred_at: at,
      s3_key: `raw/${id}.json`,
      version: 3,
    });
    const version = { aggregator: 'entity_hour', key: 'e@2026-11-25T10', version: 3 } as AggregateVersion;
    const doc = lineageOf('2026-11-25T10:04:00.000Z', [
      { version, added: [input('b', '2026-11-25T10:02:00.000Z'), input('a', '2026-11-25T10:03:00.000Z')] },
    ]);
    expect(doc.versions[0]).toMatchObject({ aggregator: 'entity_hour', key: 'e@2026-11-25T10', version: 3 });
    expect(doc.versions[0].added_inputs).toEqual([
      {
        event_id: 'b',
        payload_sha256: 'b'.repeat(64),
        source: 's',
        type: 't',
        occurred_at: '2026-11-25T10:02:00.000Z',
        s3_key: 'raw/b.json',
      },
      {
        event_id: 'a',
        payload_sha256: 'a'.repeat(64),
        source: 's',
        type: 't',
        occurred_at: '2026-11-25T10:03:00.000Z',
        s3_key: 'raw/a.json',
      },
    ]);
  });
});
