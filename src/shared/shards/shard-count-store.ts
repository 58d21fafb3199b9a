// Port for the shard counts the table records (shard-counts.ts): one small item, read by every
// instance every SHARD_COUNTS_REFRESH_MS and raised by an instance configured with more shards.
import { RecordedShards, ShardLayout } from './shard-counts';

export abstract class ShardCountStore {
  abstract read(): Promise<Partial<Record<ShardLayout, RecordedShards>>>;
  /**
   * Records `shards` for `layout`, raised from `before` at `at`, if the table still records
   * `expected` (undefined: nothing yet); false when another instance changed it first (read again).
   */
  abstract raise(
    layout: ShardLayout,
    shards: number,
    expected: number | undefined,
    before: number,
    at: number,
  ): Promise<boolean>;
}
