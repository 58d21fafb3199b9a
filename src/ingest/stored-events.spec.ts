import { AUTH_OFF } from '../shared/auth/caller';
import { eventRecord, ndjsonObject, prepareEvent } from './ingest-model';
import { validateIngestEvent, ValidEvent } from './ingest.dto';
import {
  batchPartition,
  batchRawKey,
  matchesKey,
  parseRawKey,
  singlePartition,
  singleRawKey,
  sourceOfPartition,
} from './raw-keys';
import { batchMembers, identifyStored, integrityProblems } from './stored-events';

const RECEIVED = Date.parse('2026-05-01T10:00:05.000Z');

function valid(value: unknown): ValidEvent {
  const checked = validateIngestEvent(value);
  if (!checked.ok) throw new Error(JSON.stringify(checked.problems));
  return checked.event;
}

const event = (n: number) => ({
  source: 'orders',
  type: 'order.created',
  entity_id: `order-${n}`,
  occurred_at: '2026-05-01T10:00:00+02:00',
  payload: { n, text: 'line\nbreak' },
});

describe('batchMembers', () => {
  it('gives back each item of a batch object with the range ingest recorded, pretty-printed ones too', () => {
    const items = [
      Buffer.from(JSON.stringify(event(1))),
      Buffer.from(JSON.stringify(event(2), null, 2)),
      Buffer.from(' {"a" : [1, {"b": "}"}]}'.trim()),
    ].map((bytes, index) => prepareEvent(index, valid(event(index + 1)), bytes, RECEIVED, 1000));
    const object = ndjsonObject(items);
    const members = batchMembers(object.body);
    expect(members.map((m) => m.bytes.toString())).toEqual(items.map((p) => p.bytes.toString()));
    expect(members.map((m) => m.range)).toEqual(items.map((p) => object.ranges.get(p.index)));
  });

  it('refuses bytes that are not a sequence of JSON objects', () => {
    expect(() => batchMembers(Buffer.from('{"a":1}\n[1]\n'))).toThrow(/expected a JSON object/);
    expect(() => batchMembers(Buffer.from('{"a":1}\n{"b":'))).toThrow();
  });
});

describe('identifyStored', () => {
  it('identifies stored bytes exactly as ingest did', () => {
    const bytes = Buffer.from(JSON.stringify(event(7)));
    const atIngest = prepareEvent(0, valid(event(7)), bytes, RECEIVED, 1000);
    const found = identifyStored(bytes, RECEIVED, (source) => (source === 'orders' ? 1000 : 0));
    expect(found).toEqual({ ok: true, prepared: atIngest });
  });

  it('says why bytes are not an event', () => {
    expect(identifyStored(Buffer.from('{"source":'), RECEIVED, () => 0)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/not valid JSON/),
    });
    expect(identifyStored(Buffer.from('{"source":"x"}'), RECEIVED, () => 0)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/type: type is required/),
    });
    expect(identifyStored(Buffer.from('{"__proto__":{"x":1}}'), RECEIVED, () => 0)).toMatchObject({
      ok: false,
    });
  });
});

describe('integrityProblems', () => {
  const bytes = Buffer.from(JSON.stringify(event(3)));
  const p = prepareEvent(0, valid(event(3)), bytes, RECEIVED, 1000);
  const record = eventRecord(p, { requestId: 'r', receivedAt: RECEIVED, caller: AUTH_OFF }, 'raw/x.json');

  it('finds nothing wrong with the bytes as stored', () => {
    expect(integrityProblems(record, bytes)).toEqual([]);
  });

  it('names what changed', () => {
    const tampered = Buffer.from(JSON.stringify({ ...event(3), payload: { n: 4, text: 'line\nbreak' } }));
    expect(integrityProblems(record, tampered)).toEqual(
      expect.arrayContaining(['payload_sha256 differs', 'event_id differs']),
    );
    const moved = Buffer.from(JSON.stringify({ ...event(3), entity_id: 'order-x' }));
    expect(integrityProblems(record, moved)).toEqual(['event_id differs']);
    const reformatted = Buffer.from(JSON.stringify(event(3), null, 1));
    expect(integrityProblems(record, reformatted)).toEqual([expect.stringMatching(/^size \d+ != \d+$/)]);
    expect(integrityProblems(record, Buffer.from('garbage'))).toEqual([expect.stringMatching(/^unreadable/)]);
  });
});

describe('raw keys read back', () => {
  it('parses the keys ingest writes and nothing else', () => {
    const bytes = Buffer.from('{}');
    const single = singleRawKey('orders', '2026-05-01T08:00:00.000Z', 'a'.repeat(32), bytes);
    expect(parseRawKey(single)).toEqual({
      kind: 'single',
      source: 'orders',
      hour: '2026-05-01T08',
      eventId: 'a'.repeat(32),
      bytesHash16: single.slice(-21, -5),
    });
    const batch = batchRawKey('2026-05-01T10:00:05.000Z', bytes);
    expect(parseRawKey(batch)).toMatchObject({ kind: 'batch', hour: '2026-05-01T10' });
    expect(parseRawKey('raw/source=orders/date=2026-05-01/hour=08/notes.txt')).toBeUndefined();
    expect(parseRawKey('rejected/date=2026-05-01/hour=08/x.json')).toBeUndefined();
  });

  it('tells bytes stored at a key from bytes changed since', () => {
    const bytes = Buffer.from('{"a":1}');
    const single = parseRawKey(singleRawKey('orders', '2026-05-01T08:00:00.000Z', 'a'.repeat(32), bytes))!;
    const batch = parseRawKey(batchRawKey('2026-05-01T10:00:05.000Z', bytes))!;
    expect(matchesKey(single, bytes)).toBe(true);
    expect(matchesKey(batch, bytes)).toBe(true);
    expect(matchesKey(single, Buffer.from('{"a":2}'))).toBe(false);
    expect(matchesKey(batch, Buffer.from('{"a":1} '))).toBe(false);
  });

  it('builds the hour folders and reads the source of a source folder', () => {
    expect(singlePartition('orders', '2026-05-01T08')).toBe('raw/source=orders/date=2026-05-01/hour=08/');
    expect(batchPartition('2026-05-01T10')).toBe('raw/batches/date=2026-05-01/hour=10/');
    expect(singleRawKey('orders', '2026-05-01T08:00:00.000Z', 'a'.repeat(32), Buffer.from('{}'))).toMatch(
      /^raw\/source=orders\/date=2026-05-01\/hour=08\//,
    );
    expect(sourceOfPartition('raw/source=orders/')).toBe('orders');
    expect(sourceOfPartition('raw/batches/')).toBeUndefined();
  });
});
