import {
  AggregateInput,
  bucketKey,
  bucketOf,
  bucketWindow,
  computeValue,
  diffVersions,
  inputHash,
  parseBucketKey,
  sortInputs,
} from './aggregate';
import { sha256Hex } from '../shared/identity/event-identity';

const input = (id: string, type: string, at: string, hash = id.repeat(64).slice(0, 64)): AggregateInput => ({
  event_id: id,
  type,
  occurred_at: at,
  payload_sha256: hash,
});

describe('bucket keys', () => {
  it('builds <entity_id>@<hour> and parses it back, even when the entity id holds @ and /', () => {
    const bucket = bucketOf('user@example.com/x', '2026-11-25T10:59:59.999Z');
    expect(bucket).toEqual({ entity_id: 'user@example.com/x', hour: '2026-11-25T10' });
    expect(bucketKey(bucket)).toBe('user@example.com/x@2026-11-25T10');
    expect(parseBucketKey('user@example.com/x@2026-11-25T10')).toEqual(bucket);
  });

  it.each(['order-1', '@2026-11-25T10', 'order-1@2026-11-25', 'order-1@2026-13-25T10', 'x@2026-11-25T24'])(
    'refuses %s',
    (key) => expect(parseBucketKey(key)).toBeUndefined(),
  );

  it('covers the whole hour, inclusive', () => {
    expect(bucketWindow({ entity_id: 'e', hour: '2026-11-25T10' })).toEqual({
      from: '2026-11-25T10:00:00.000Z',
      to: '2026-11-25T10:59:59.999Z',
    });
  });
});

describe('computeValue', () => {
  it('counts by type and finds the first and last occurrence', () => {
    const value = computeValue([
      input('b', 'order.paid', '2026-11-25T10:30:00.000Z'),
      input('a', 'order.created', '2026-11-25T10:05:00.000Z'),
      input('c', 'order.created', '2026-11-25T10:45:00.000Z'),
    ]);
    expect(value).toEqual({
      count: 3,
      by_type: { 'order.created': 2, 'order.paid': 1 },
      first_occurred_at: '2026-11-25T10:05:00.000Z',
      last_occurred_at: '2026-11-25T10:45:00.000Z',
    });
    expect(Object.keys(value.by_type)).toEqual(['order.created', 'order.paid']);
  });

  it('counts types named like Object.prototype members as any other', () => {
    const value = computeValue([
      input('a', 'constructor', '2026-11-25T10:05:00.000Z'),
      input('b', 'toString', '2026-11-25T10:06:00.000Z'),
      input('c', 'constructor', '2026-11-25T10:07:00.000Z'),
    ]);
    expect(value.by_type).toEqual({ constructor: 2, toString: 1 });
    expect(Object.keys(value.by_type)).toEqual(['constructor', 'toString']);
  });

  it('gives an empty value for no inputs', () => {
    expect(computeValue([])).toEqual({
      count: 0,
      by_type: {},
      first_occurred_at: null,
      last_occurred_at: null,
    });
  });
});

describe('inputHash', () => {
  it('hashes the sorted payload hashes, so input order does not matter', () => {
    const a = input('a', 't', '2026-11-25T10:00:00.000Z', '1'.repeat(64));
    const b = input('b', 't', '2026-11-25T10:00:00.000Z', '2'.repeat(64));
    expect(inputHash([b, a])).toBe(inputHash([a, b]));
    expect(inputHash([a, b])).toBe(sha256Hex(`${'1'.repeat(64)}\n${'2'.repeat(64)}`));
    expect(inputHash([a])).not.toBe(inputHash([a, b]));
  });

  it('counts two events with equal payloads twice', () => {
    const a = input('a', 't', '2026-11-25T10:00:00.000Z', '1'.repeat(64));
    const b = input('b', 't', '2026-11-25T10:01:00.000Z', '1'.repeat(64));
    expect(inputHash([a, b])).not.toBe(inputHash([a]));
  });
});

describe('sortInputs', () => {
  it('orders by occurred_at, then event_id', () => {
    const sorted = sortInputs([
      input('c', 't', '2026-11-25T10:02:00.000Z'),
      input('b', 't', '2026-11-25T10:01:00.000Z'),
      input('a', 't', '2026-11-25T10:02:00.000Z'),
    ]);
    expect(sorted.map((e) => e.event_id)).toEqual(['b', 'a', 'c']);
  });
});

describe('diffVersions', () => {
  it('names changed fields and the input events added and removed', () => {
    const from = {
      value: computeValue([
        input('a', 'x', '2026-11-25T10:00:00.000Z'),
        input('b', 'y', '2026-11-25T10:10:00.000Z'),
      ]),
      input_event_ids: ['a', 'b'],
    };
    const to = {
      value: computeValue([
        input('a', 'x', '2026-11-25T10:00:00.000Z'),
        input('c', 'x', '2026-11-25T10:20:00.000Z'),
      ]),
      input_event_ids: ['a', 'c'],
    };
    expect(diffVersions(from, to)).toEqual({
      changes: [
        { field: 'last_occurred_at', from: '2026-11-25T10:10:00.000Z', to: '2026-11-25T10:20:00.000Z' },
        { field: 'by_type.x', from: 1, to: 2 },
        { field: 'by_type.y', from: 1, to: 0 },
      ],
      added_event_ids: ['c'],
      removed_event_ids: ['b'],
    });
  });

  it('counts a type missing on one side as 0, even one named constructor', () => {
    const from = {
      value: computeValue([input('a', 'x', '2026-11-25T10:00:00.000Z')]),
      input_event_ids: ['a'],
    };
    const to = {
      value: computeValue([
        input('a', 'x', '2026-11-25T10:00:00.000Z'),
        input('b', 'constructor', '2026-11-25T10:00:00.000Z'),
      ]),
      input_event_ids: ['a', 'b'],
    };
    expect(diffVersions(from, to).changes).toEqual([
      { field: 'count', from: 1, to: 2 },
      { field: 'by_type.constructor', from: 0, to: 1 },
    ]);
  });

  it('is empty for equal versions', () => {
    const v = { value: computeValue([input('a', 'x', '2026-11-25T10:00:00.000Z')]), input_event_ids: ['a'] };
    expect(diffVersions(v, v)).toEqual({ changes: [], added_event_ids: [], removed_event_ids: [] });
  });
});
