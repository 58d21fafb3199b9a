// The queries of an index bucketed by received day (gsi2 source days, gsi3 late, gsi4 repeats): one per
// day in a window, or, where a day is sharded over several partitions, one per day and shard.
import type { TimeWindow } from '../paging/page';
import type { TableQuery } from './dynamo-table';
import { daysOf } from './table-keys';

/**
 * One query per received day in the window, on a GSI whose sort key starts with the timestamp
 * (`<iso>#<id>`), optionally filtered by `type`.
 */
export function dayPartitions(
  index: 'gsi2' | 'gsi3' | 'gsi4',
  partitionKey: (day: string) => string,
  window: TimeWindow,
  type?: string,
): TableQuery[] {
  return dayShardPartitions(index, (day) => [partitionKey(day)], window, type).map(([query]) => query);
}

/** dayPartitions of an index whose days are sharded: per received day, one query per shard's key. */
export function dayShardPartitions(
  index: 'gsi2' | 'gsi3' | 'gsi4',
  partitionKeys: (day: string) => string[],
  window: TimeWindow,
  type?: string,
): TableQuery[][] {
  return daysOf(window.from, window.to).map((day) =>
    partitionKeys(day).map((pk) => ({
      IndexName: index,
      KeyConditionExpression: `${index}pk = :pk AND ${index}sk BETWEEN :from AND :to`,
      ExpressionAttributeValues: {
        ':pk': pk,
        ':from': window.from,
        ':to': `${window.to}#~`,
        ...(type ? { ':type': type } : {}),
      },
      ...(type ? { FilterExpression: '#type = :type', ExpressionAttributeNames: { '#type': 'type' } } : {}),
    })),
  );
}
