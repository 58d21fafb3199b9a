import { createHash } from 'node:crypto';
import {
  AggregateInput,
  addToInputHash,
  bucketKey,
  dayBucket,
  diffInputs,
  diffValues,
  hourBucket,
  inputHash,
  mergeSamples,
  parseBucketKey,
  periodStart,
  sampleEventId,
  sortInputs,
} from './aggregate';

const input = (id: string, at: string, hash = id.repeat(64).slice(0, 64)): AggregateInput => ({
  event_id: id,
  occurred_at: at,
  payload_sha256: hash,
});

describe('bucket keys', () => {
  it('builds <entity_id>@<hour> and parses it back, even when the entity id holds @ and /', () => {
    const bucket = hourBucket('user@example.com/x', '2026-11-25T10:59:59.999Z');
    expect(bucket).toEqual({ entity_id: 'user@example.com/x', period: '2026-11-25T10' });
    expect(bucketKey(bucket)).toBe('user@example.com/x@2026-11-25T10');
    expect(parseBucketKey('user@example.com/x@2026-11-25T10')).toEqual(bucket);
  });

  it('builds and parses day buckets, which list from their first hour', () => {
    const bucket = dayBucket('cust-1', '2026-11-25T23:59:59.999Z');
    expect(bucketKey(bucket)).toBe('cust-1@2026-11-25');
    expect(parseBucketKey('cust-1@2026-11-25')).toEqual(bucket);
    expect(periodStart('2026-11-25')).toBe('2026-11-25T00');
    expect(periodStart('2026-11-25T10')).toBe('2026-11-25T10');
  });

  it.each([
    'order-1',
    '@2026-11-25T10',
    'order-1@2026-11',
    'order-1@2026-13-25T10',
    'x@2026-11-25T24',
    'x@2026-02-30',
  ])('refuses %s', (key) => expect(parseBucketKey(key)).toBeUndefined());
});

describe('input hash', () => {
  const a = input('a', '2026-11-25T10:00:00.000Z', '1'.repeat(64));
  const b = input('b', '2026-11-25T10:00:00.000Z', '2'.repeat(64));
  const c = input('c', '2026-11-25T10:01:00.000Z', '3'.repeat(64));

  it('is the sum modulo 2^256 of the SHA-256 of each payload hash, so input order does not matter', () => {
    const h = (s: string) => BigInt(`0x${createHash('sha256').update(s).digest('hex')}`);
    const want = ((h('1'.repeat(64)) + h('2'.repeat(64))) % (1n << 256n)).toString(16).padStart(64, '0');
    expect(inputHash([a, b])).toBe(want);
    expect(inputHash([b, a])).toBe(want);
    expect(inputHash([a])).not.toBe(inputHash([a, b]));
  });

  it('adds up: the hash of a version plus its new inputs equals the hash of all inputs at once', () => {
    expect(addToInputHash(inputHash([a]), [b.payload_sha256, c.payload_sha256])).toBe(inputHash([c, a, b]));
    expect(addToInputHash(undefined, [])).toBe('0'.repeat(64));
  });

  it('counts two events with equal payloads twice', () => {
    const twin = input('d', '2026-11-25T10:01:00.000Z', '1'.repeat(64));
    expect(inputHash([a, twin])).not.toBe(inputHash([a]));
  });
});

describe('sortInputs and samples', () => {
  it('orders by occurred_at, then event_id', () => {
    const sorted = sortInputs([
      input('c', '2026-11-25T10:02:00.000Z'),
      input('b', '2026-11-25T10:01:00.000Z'),
      input('a', '2026-11-25T10:02:00.000Z'),
    ]);
    expect(sorted.map((e) => e.event_id)).toEqual(['b', 'a', 'c']);
  });

  it('keeps the first ten inputs whatever order they were added in', () => {
    const all = Array.from({ length: 25 }, (_, i) =>
      input(`e${String(i).padStart(2, '0')}`, `2026-11-25T10:${String(59 - i).padStart(2, '0')}:00.000Z`),
    );
    let samples: string[] = [];
    for (let i = 0; i < all.length; i += 7) samples = mergeSamples(samples, all.slice(i, i + 7));
    const want = sortInputs(all)
      .slice(0, 10)
      .map((e) => e.event_id);
    expect(samples.map(sampleEventId)).toEqual(want);
    expect(mergeSamples(samples, all.slice(0, 3))).toEqual(samples);
  });
});

describe('diffValues and diffInputs', () => {
  it('names changed leaves by dotted path, a missing member as null', () => {
    expect(
      diffValues({ orders: 1, revenue: '10', x: { y: 1 } }, { orders: 2, revenue: '10', x: { z: 2 } }),
    ).toEqual([
      { field: 'orders', from: 1, to: 2 },
      { field: 'x.y', from: 1, to: null },
      { field: 'x.z', from: null, to: 2 },
    ]);
    expect(diffValues(3, 4)).toEqual([{ field: 'value', from: 3, to: 4 }]);
    expect(diffValues({ a: [1] }, { a: [1] })).toEqual([]);
  });

  it('names the input events added and removed', () => {
    expect(diffInputs(['a', 'b'], ['a', 'c'])).toEqual({ added_event_ids: ['c'], removed_event_ids: ['b'] });
  });
});
