// Items as the app writes them, built with its own builders, and their size by DynamoDB's rules: what
// the scale model charges a write or read of each (scale-model.ts).
import { createHash } from 'node:crypto';
import { dayOf, hourOf, keys } from '../src/shared/aws/table-keys';
import { COUNTS } from '../src/shared/ingest-stats/dynamo-ingest-stats-store';
import { LAG_BUCKETS_MS } from '../src/shared/metrics/lag-histogram';
import { eventItem } from '../src/shared/events/dynamo-event-index';
import { Retention } from '../src/shared/retention/retention';
import { singleRawKey } from '../src/ingest/raw-keys';

/** DynamoDB's size of a value (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html). */
function valueBytes(v: unknown): number {
  if (typeof v === 'string') return Buffer.byteLength(v);
  if (typeof v === 'number' || typeof v === 'bigint') {
    const digits = String(v).replace(/[-.]/g, '').replace(/^0+/, '').replace(/e.*$/, '');
    return Math.ceil(Math.max(1, digits.length) / 2) + 1;
  }
  if (typeof v === 'boolean' || v === null) return 1;
  if (v instanceof Set) return [...(v as Set<unknown>)].reduce<number>((n, x) => n + valueBytes(x), 0);
  if (Array.isArray(v)) return 3 + v.reduce<number>((n, x) => n + 1 + valueBytes(x), 0);
  if (typeof v === 'object') return 3 + itemBytes(v as Record<string, unknown>) + Object.keys(v).length;
  return 0;
}

/** An item's size: each attribute's name and value. */
export function itemBytes(item: Record<string, unknown>): number {
  return Object.entries(item).reduce(
    (n, [name, v]) => (v === undefined ? n : n + Buffer.byteLength(name) + valueBytes(v)),
    0,
  );
}

export const wcu = (bytes: number): number => Math.ceil(bytes / 1024);
/** Eventually consistent reads (GSI queries): half a unit per 4 KB. */
export const rcuEventual = (bytes: number): number => Math.ceil(bytes / 4096) / 2;

export const sourceName = (i: number): string => `source-${String(i).padStart(3, '0')}`;
export const typeName = (i: number): string => `type.${String(i).padStart(2, '0')}`;
export const HOUR = '2026-11-27T12:00:00.000Z';

/** A counter row as it stands after a busy hour (every count large), for its size. */
export function counterRowItem(source: string, type: string, shard: number): Record<string, unknown> {
  const big = 123_456_789_012;
  const item: Record<string, unknown> = {
    ...keys.counter(hourOf(HOUR), shard, source, type),
    source,
    type,
    hour: hourOf(HOUR),
    lag_max_ms: big,
  };
  for (const c of COUNTS) item[c] = big;
  LAG_BUCKETS_MS.forEach((_, i) => (item[`lag_b${i}`] = big));
  return item;
}

/** An activity item at the end of a day: every minute marked. */
export function activityItem(source: string): Record<string, unknown> {
  return {
    ...keys.activity(source, dayOf(HOUR)),
    active_minutes: new Set(Array.from({ length: 1440 }, (_, m) => m)),
  };
}

/**
 * An event's index item as ingest writes it (every index key, its gsi2 key on the event's shard of
 * `sourceShards`), from the app's own builder.
 */
export function eventIndexItem(
  source: string,
  type: string,
  entity: string,
  late: boolean,
  sourceShards = 1,
  id = 'e'.repeat(32),
): Record<string, unknown> {
  return eventItem(
    {
      event_id: id,
      source,
      type,
      entity_id: entity,
      occurred_at: HOUR,
      received_at: HOUR,
      lag_ms: late ? 3_600_000 : 1500,
      late,
      future: false,
      payload_sha256: 'f'.repeat(64),
      size_bytes: 512,
      s3_key: singleRawKey(source, HOUR, id, Buffer.from('{}')),
      request_id: '0123456789abcdef0123456789abcdef',
      duplicate_count: 0,
      conflict_count: 0,
    },
    Retention.forever(),
    sourceShards,
  );
}

/** The n-th of a run of event ids shaped like real ones (128 bits of SHA-256, hex), for spreading over shards. */
export const sampleEventId = (n: number): string =>
  createHash('sha256').update(String(n)).digest('hex').slice(0, 32);
