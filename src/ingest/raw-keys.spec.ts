// The S3 raw layout, pinned: docs/extending.md ("Key layout") says what may change and how. A failure
// here means a layout change; make it deliberately (readers follow the stored s3_key, reconcile and the
// Athena tables read the layout itself).
import { createHash } from 'node:crypto';
import {
  batchPartition,
  batchRawKey,
  matchesKey,
  parseRawKey,
  rejectedKey,
  singlePartition,
  singleRawKey,
  sourceOfPartition,
} from './raw-keys';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const EVENT_ID = '5b1f0e5c2a7d4e8f9a0b1c2d3e4f5a6b';
const BYTES = Buffer.from('{"source":"orders-svc"}');

describe('the raw key layout', () => {
  it('puts a single event under its source and occurred hour, named by event id and bytes hash', () => {
    const key = singleRawKey('orders-svc', '2026-11-25T10:59:59.999Z', EVENT_ID, BYTES);
    expect(key).toBe(
      `raw/source=orders-svc/date=2026-11-25/hour=10/${EVENT_ID}-${sha(BYTES).slice(0, 16)}.json`,
    );
    expect(key.startsWith(singlePartition('orders-svc', '2026-11-25T10'))).toBe(true);
  });

  it('puts a batch under its received hour, named by the hash of the whole object', () => {
    const key = batchRawKey('2026-11-25T00:00:00.000Z', BYTES);
    expect(key).toBe(`raw/batches/date=2026-11-25/hour=00/${sha(BYTES)}.ndjson`);
    expect(key.startsWith(batchPartition('2026-11-25T00'))).toBe(true);
  });

  it('keeps rejected submissions outside raw/, by received hour', () => {
    expect(rejectedKey('2026-11-25T23:10:00.000Z', 'r-1')).toBe('rejected/date=2026-11-25/hour=23/r-1.json');
  });

  it('reads back what it writes, and nothing else', () => {
    const single = singleRawKey('orders-svc', '2026-11-25T10:00:00.000Z', EVENT_ID, BYTES);
    expect(parseRawKey(single)).toEqual({
      kind: 'single',
      source: 'orders-svc',
      hour: '2026-11-25T10',
      eventId: EVENT_ID,
      bytesHash16: sha(BYTES).slice(0, 16),
    });
    const batch = batchRawKey('2026-11-25T10:00:00.000Z', BYTES);
    expect(parseRawKey(batch)).toEqual({ kind: 'batch', hour: '2026-11-25T10', sha256: sha(BYTES) });
    for (const other of [
      'rejected/date=2026-11-25/hour=10/x.json',
      'raw/source=Orders/x.json',
      `${single}.bak`,
    ]) {
      expect(parseRawKey(other)).toBeUndefined();
    }
    expect(sourceOfPartition('raw/source=orders-svc/')).toBe('orders-svc');
    expect(sourceOfPartition('raw/batches/')).toBeUndefined();
  });

  it('tells the stored bytes from any others by the hash in the name', () => {
    const parts = parseRawKey(singleRawKey('orders-svc', '2026-11-25T10:00:00.000Z', EVENT_ID, BYTES))!;
    expect(matchesKey(parts, BYTES)).toBe(true);
    expect(matchesKey(parts, Buffer.from('{"source":"orders-svx"}'))).toBe(false);
    const batchParts = parseRawKey(batchRawKey('2026-11-25T10:00:00.000Z', BYTES))!;
    expect(matchesKey(batchParts, BYTES)).toBe(true);
    expect(matchesKey(batchParts, Buffer.concat([BYTES, Buffer.from('\n')]))).toBe(false);
  });
});
