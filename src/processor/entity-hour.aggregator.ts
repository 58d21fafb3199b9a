// The built-in aggregate (`entity_hour`): events per entity per UTC hour, counted by type, with the
// first and last occurrence. One Aggregator among any others registered (docs/extending.md).
import type { Aggregator, ValueChange } from './aggregator';
import { hourBucket } from './aggregate';
import type { NormalisedEvent } from './normalise';

export interface EntityHourValue {
  count: number;
  by_type: Record<string, number>;
  first_occurred_at: string | null;
  last_occurred_at: string | null;
}

const EMPTY: EntityHourValue = { count: 0, by_type: {}, first_occurred_at: null, last_occurred_at: null };

function add(value: EntityHourValue, inputs: readonly NormalisedEvent[]): EntityHourValue {
  // A Map: a type may be any name, `constructor` and `toString` included.
  const byType = new Map<string, number>(Object.entries(value.by_type));
  let first = value.first_occurred_at;
  let last = value.last_occurred_at;
  for (const e of inputs) {
    byType.set(e.type, (byType.get(e.type) ?? 0) + 1);
    if (first === null || e.occurred_at < first) first = e.occurred_at;
    if (last === null || e.occurred_at > last) last = e.occurred_at;
  }
  const by_type = Object.fromEntries([...byType].sort(([a], [b]) => (a < b ? -1 : 1)));
  return { count: value.count + inputs.length, by_type, first_occurred_at: first, last_occurred_at: last };
}

const countOf = (byType: Record<string, number>, type: string): number =>
  Object.hasOwn(byType, type) ? byType[type] : 0;

export const entityHourAggregator: Aggregator<EntityHourValue> = {
  name: 'entity_hour',
  version: '1',
  bucketOf: (event) => hourBucket(event.entity_id, event.occurred_at),
  compute: (inputs) => add(EMPTY, inputs),
  add,
  diff(from, to) {
    const changes: ValueChange[] = [];
    for (const field of ['count', 'first_occurred_at', 'last_occurred_at'] as const) {
      if (from[field] !== to[field]) changes.push({ field, from: from[field], to: to[field] });
    }
    const types = [...new Set([...Object.keys(from.by_type), ...Object.keys(to.by_type)])].sort();
    for (const type of types) {
      const a = countOf(from.by_type, type);
      const b = countOf(to.by_type, type);
      if (a !== b) changes.push({ field: `by_type.${type}`, from: a, to: b });
    }
    return changes;
  },
};
