// Port for the shard counts the table records (shard-counts.ts): one small item, read by every
// instance every SHARD_COUNTS_REFRESH_MS and raised by an instance configured with more shards.
import { RecordedShards, ShardLayout } from './shard-counts';

export abstract class ShardCountStore {
  abstract read(): Promise<Partial<Record<ShardLayout, RecordedShards>>>;
  /**
   * Records `shards` for `layout` if the table still records `before` (undefined: nothing yet, which
   * records a raise from 1), raised at `at`; false when another instance changed it first (read again).
   */
  abstract raise(
    layout: ShardLayout,
    shards: number,
    before: number | undefined,
    at: number,
  ): Promise<boolean>;
}
