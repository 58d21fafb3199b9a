// The aggregate definition, pure: bucket keys, the value of a bucket, its input hash, and the diff
// of two versions. docs/processor.md documents each of these.
import { sha256Hex } from '../shared/identity/event-identity';

/** One input event of a bucket, as the index knows it. */
export interface AggregateInput {
  event_id: string;
  type: string;
  occurred_at: string;
  payload_sha256: string;
}

export interface AggregateValue {
  count: number;
  by_type: Record<string, number>;
  first_occurred_at: string | null;
  last_occurred_at: string | null;
}

export interface Bucket {
  entity_id: string;
  /** UTC hour of occurred_at, `YYYY-MM-DDTHH`. */
  hour: string;
}

const HOUR = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3])$/;

/** `<entity_id>@<YYYY-MM-DDTHH>`; the hour never holds an `@`, so the key splits at its last one. */
export function bucketKey(bucket: Bucket): string {
  return `${bucket.entity_id}@${bucket.hour}`;
}

export function bucketOf(entityId: string, occurredAtUtc: string): Bucket {
  return { entity_id: entityId, hour: occurredAtUtc.slice(0, 13) };
}

/** Parses an aggregate key; undefined when it is not one. */
export function parseBucketKey(key: string): Bucket | undefined {
  const at = key.lastIndexOf('@');
  if (at < 1) return undefined;
  const hour = key.slice(at + 1);
  if (!HOUR.test(hour) || isNaN(Date.parse(`${hour}:00:00Z`))) return undefined;
  return { entity_id: key.slice(0, at), hour };
}

/** The occurred_at window of a bucket, inclusive, in the index's time format. */
export function bucketWindow(bucket: Bucket): { from: string; to: string } {
  return { from: `${bucket.hour}:00:00.000Z`, to: `${bucket.hour}:59:59.999Z` };
}

export function computeValue(inputs: readonly AggregateInput[]): AggregateValue {
  // A Map: a type may be any name, `constructor` and `toString` included.
  const byType = new Map<string, number>();
  let first: string | null = null;
  let last: string | null = null;
  for (const e of inputs) {
    byType.set(e.type, (byType.get(e.type) ?? 0) + 1);
    if (first === null || e.occurred_at < first) first = e.occurred_at;
    if (last === null || e.occurred_at > last) last = e.occurred_at;
  }
  const by_type = Object.fromEntries([...byType].sort(([a], [b]) => (a < b ? -1 : 1)));
  return { count: inputs.length, by_type, first_occurred_at: first, last_occurred_at: last };
}

/** SHA-256 (hex) of the bucket's payload_sha256 values, sorted, joined by `\n`. */
export function inputHash(inputs: readonly AggregateInput[]): string {
  return sha256Hex(
    inputs
      .map((e) => e.payload_sha256)
      .sort()
      .join('\n'),
  );
}

/** Inputs in a stable order (occurred_at, then event_id): lineage files and samples use it. */
export function sortInputs<T extends AggregateInput>(inputs: readonly T[]): T[] {
  return [...inputs].sort((a, b) =>
    a.occurred_at !== b.occurred_at
      ? a.occurred_at < b.occurred_at
        ? -1
        : 1
      : a.event_id < b.event_id
        ? -1
        : a.event_id > b.event_id
          ? 1
          : 0,
  );
}

export interface ValueChange {
  /** Dotted path of the changed field, e.g. `count` or `by_type.order.created`. */
  field: string;
  from: unknown;
  to: unknown;
}

export interface VersionDiff {
  changes: ValueChange[];
  added_event_ids: string[];
  removed_event_ids: string[];
}

const countOf = (byType: Record<string, number>, type: string): number =>
  Object.hasOwn(byType, type) ? byType[type] : 0;

/** What changed between two versions: value fields, and input events added and removed. */
export function diffVersions(
  from: { value: AggregateValue; input_event_ids: readonly string[] },
  to: { value: AggregateValue; input_event_ids: readonly string[] },
): VersionDiff {
  const changes: ValueChange[] = [];
  for (const field of ['count', 'first_occurred_at', 'last_occurred_at'] as const) {
    if (from.value[field] !== to.value[field])
      changes.push({ field, from: from.value[field], to: to.value[field] });
  }
  const types = [...new Set([...Object.keys(from.value.by_type), ...Object.keys(to.value.by_type)])].sort();
  for (const type of types) {
    const a = countOf(from.value.by_type, type);
    const b = countOf(to.value.by_type, type);
    if (a !== b) changes.push({ field: `by_type.${type}`, from: a, to: b });
  }
  const before = new Set(from.input_event_ids);
  const after = new Set(to.input_event_ids);
  return {
    changes,
    added_event_ids: [...after].filter((id) => !before.has(id)).sort(),
    removed_event_ids: [...before].filter((id) => !after.has(id)).sort(),
  };
}
