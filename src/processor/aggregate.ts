// The processor's side of every aggregate, pure: bucket keys and periods, the order-independent
// input hash, sample choice and the default diff of two values. docs/processor.md documents each.
import { createHash } from 'node:crypto';
import type { Bucket, ValueChange } from './aggregator';

/** What the processor keeps of one input event (a contribution): enough to hash, sample and trace it. */
export interface AggregateInput {
  event_id: string;
  occurred_at: string;
  payload_sha256: string;
}

const HOUR = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3])$/;
const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** `<entity_id>@<period>`; a period never holds an `@`, so the key splits at its last one. */
export function bucketKey(bucket: Bucket): string {
  return `${bucket.entity_id}@${bucket.period}`;
}

/** The UTC hour bucket of an entity (`YYYY-MM-DDTHH` of occurred_at, UTC with milliseconds). */
export function hourBucket(entityId: string, occurredAtUtc: string): Bucket {
  return { entity_id: entityId, period: occurredAtUtc.slice(0, 13) };
}

/** The UTC day bucket of an entity (`YYYY-MM-DD`). */
export function dayBucket(entityId: string, occurredAtUtc: string): Bucket {
  return { entity_id: entityId, period: occurredAtUtc.slice(0, 10) };
}

/** Whether a period is a valid UTC hour or day. */
export function isPeriod(period: string): boolean {
  if (!HOUR.test(period) && !DAY.test(period)) return false;
  // A real calendar date: 2026-02-30 would roll over to March.
  const start = periodStart(period);
  const ms = Date.parse(`${start}:00:00.000Z`);
  return !isNaN(ms) && new Date(ms).toISOString().startsWith(start);
}

/** The first hour of a period, `YYYY-MM-DDTHH`: listings select buckets by it. */
export function periodStart(period: string): string {
  return period.length === 10 ? `${period}T00` : period;
}

/** Parses an aggregate key; undefined when it is not one. */
export function parseBucketKey(key: string): Bucket | undefined {
  const at = key.lastIndexOf('@');
  if (at < 1) return undefined;
  const period = key.slice(at + 1);
  if (!isPeriod(period)) return undefined;
  return { entity_id: key.slice(0, at), period };
}

const MOD = 1n << 256n;
const ZERO_HASH = '0'.repeat(64);

/**
 * The input hash of a multiset of payload hashes: the sum, modulo 2^256, of SHA-256 of each
 * payload_sha256 (hex text), as 64 hex digits. Order-independent and additive, so a version's hash is
 * the previous version's plus its new inputs', equal to the hash of all inputs computed at once.
 */
export function addToInputHash(hash: string | undefined, payloadSha256s: readonly string[]): string {
  let sum = BigInt(`0x${hash ?? ZERO_HASH}`);
  for (const p of payloadSha256s) sum += BigInt(`0x${createHash('sha256').update(p).digest('hex')}`);
  return (sum % MOD).toString(16).padStart(64, '0');
}

export function inputHash(inputs: readonly AggregateInput[]): string {
  return addToInputHash(
    undefined,
    inputs.map((e) => e.payload_sha256),
  );
}

/** Sort key of an input: occurred_at, then event_id. Samples and lineage files use this order. */
export const inputOrder = (e: AggregateInput): string => `${e.occurred_at}#${e.event_id}`;

export function sortInputs<T extends AggregateInput>(inputs: readonly T[]): T[] {
  return [...inputs].sort((a, b) => compare(inputOrder(a), inputOrder(b)));
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** How many sample event ids a version keeps. */
export const SAMPLE_SIZE = 10;

/** The first SAMPLE_SIZE of the samples plus new inputs, by inputOrder (both as order keys). */
export function mergeSamples(samples: readonly string[], added: readonly AggregateInput[]): string[] {
  return [...new Set([...samples, ...added.map(inputOrder)])].sort(compare).slice(0, SAMPLE_SIZE);
}

/** The event id of a sample order key. */
export const sampleEventId = (orderKey: string): string => orderKey.slice(orderKey.lastIndexOf('#') + 1);

/** Leaf-by-leaf changes of two JSON values: object members by dotted path, anything else whole. */
export function diffValues(from: unknown, to: unknown, path = ''): ValueChange[] {
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObject(from) && isObject(to)) {
    const names = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort();
    return names.flatMap((n) =>
      diffValues(
        Object.hasOwn(from, n) ? from[n] : null,
        Object.hasOwn(to, n) ? to[n] : null,
        path ? `${path}.${n}` : n,
      ),
    );
  }
  return JSON.stringify(from) === JSON.stringify(to) ? [] : [{ field: path || 'value', from, to }];
}

/** Input events added and removed between two input lists. */
export function diffInputs(
  from: readonly string[],
  to: readonly string[],
): { added_event_ids: string[]; removed_event_ids: string[] } {
  const before = new Set(from);
  const after = new Set(to);
  return {
    added_event_ids: [...after].filter((id) => !before.has(id)).sort(),
    removed_event_ids: [...before].filter((id) => !after.has(id)).sort(),
  };
}
