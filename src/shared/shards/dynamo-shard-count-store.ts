// The recorded shard counts on the single DynamoDB table: one item (pk META#SHARDS, sk #META), three
// attributes per layout: <layout>_shards, <layout>_before, <layout>_raised_at.
import { DynamoTable } from '../aws/dynamo-table';
import { keys } from '../aws/table-keys';
import { ShardCountStore } from './shard-count-store';
import { RecordedShards, SHARD_LAYOUTS, ShardLayout } from './shard-counts';

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

export class DynamoShardCountStore extends ShardCountStore {
  constructor(private readonly table: DynamoTable) {
    super();
  }

  async read(): Promise<Partial<Record<ShardLayout, RecordedShards>>> {
    const item = await this.table.get(keys.shardCounts);
    const out: Partial<Record<ShardLayout, RecordedShards>> = {};
    for (const layout of SHARD_LAYOUTS) {
      const shards = num(item?.[`${layout}_shards`]);
      if (shards === undefined) continue;
      const before = num(item?.[`${layout}_before`]);
      const at = num(item?.[`${layout}_raised_at`]);
      out[layout] = {
        shards,
        ...(before !== undefined && at !== undefined ? { before, raised_at: at } : {}),
      };
    }
    return out;
  }

  async raise(
    layout: ShardLayout,
    shards: number,
    expected: number | undefined,
    before: number,
    at: number,
  ): Promise<boolean> {
    const names = { '#s': `${layout}_shards`, '#b': `${layout}_before`, '#a': `${layout}_raised_at` };
    const item = await this.table.updateIf({
      ReturnValues: 'NONE',
      Key: keys.shardCounts,
      UpdateExpression: 'SET #s = :n, #b = :before, #a = :at',
      ConditionExpression: expected === undefined ? 'attribute_not_exists(#s)' : '#s = :expected',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: {
        ':n': shards,
        ':before': before,
        ':at': at,
        ...(expected === undefined ? {} : { ':expected': expected }),
      },
    });
    return item !== undefined;
  }
}
