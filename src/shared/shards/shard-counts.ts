// How many shards a sharded layout (the source index, the counter rows) is written and read with, now.
// Each instance has its own configured count (SOURCE_INDEX_SHARDS, COUNTER_SHARDS); the table records
// the largest any instance has written with. Readers query that many, so a count lowered, or raised
// by a rolling deploy, never hides rows another instance wrote. A writer that raises the count keeps
// writing with the old one for a grace period, until every reader has looked again and learned it.

/** The sharded layouts whose counts the table records. */
export const SHARD_LAYOUTS = ['source_index', 'counters'] as const;
export type ShardLayout = (typeof SHARD_LAYOUTS)[number];

/** What the table records of one layout. */
export interface RecordedShards {
  /** The largest count any instance has written with (or is about to, once the grace period ends). */
  shards: number;
  /** The count recorded before the last raise, and when that raise was recorded (epoch ms). */
  before?: number;
  raised_at?: number;
}

/** The shard counts one layout is written and read with, asked at each write and read. */
export interface ShardCounts {
  write(): number;
  read(): number;
}

/** A layout whose counts never change (tests, benches, tools that read one table on their own). */
export const fixedShards = (shards: number): ShardCounts => ({ write: () => shards, read: () => shards });

/**
 * The count every running reader already reads: the recorded one, or, within `graceMs` of a raise,
 * the one from before it (some readers may not have looked since).
 */
export function knownToAll(recorded: RecordedShards, now: number, graceMs: number): number {
  const { shards, before, raised_at: raisedAt } = recorded;
  const settling = before !== undefined && raisedAt !== undefined && now < raisedAt + graceMs;
  return settling ? Math.min(before, shards) : shards;
}

/**
 * The counts of an instance configured with `own` shards, given what the table records. It reads
 * every shard anyone has written with, and writes with its own count, but never with more than every
 * reader knows. Before it has read the record (storage down at boot) it writes to shard 0 alone, the
 * one every reader reads.
 */
export function shardCountsAt(
  own: number,
  recorded: RecordedShards | undefined,
  now: number,
  graceMs: number,
): { write: number; read: number } {
  if (recorded === undefined) return { write: 1, read: own };
  return {
    write: Math.max(1, Math.min(own, knownToAll(recorded, now, graceMs))),
    read: Math.max(own, recorded.shards),
  };
}
