// Aggregate versions on the single DynamoDB table: immutable version items (pk AGG#<key>, sk V#<n>)
// and a forward-only #LATEST pointer per key, listed per entity through gsi1.
import { DynamoTable, Item, pick } from '../shared/aws/dynamo-table';
import { aggregateKeys } from '../shared/aws/table-keys';
import { AggregateStore, AggregateVersion } from './aggregate-store';

const VERSION_FIELDS = [
  'key',
  'entity_id',
  'hour',
  'version',
  'value',
  'input_hash',
  'input_count',
  'sample_event_ids',
  'processor_version',
  'computed_at',
  'replay_ids',
  'lineage_key',
  'input_event_ids',
] as const;

const toVersion = (item: Item): AggregateVersion => pick<AggregateVersion>(item, VERSION_FIELDS);

export class DynamoAggregateStore extends AggregateStore {
  constructor(private readonly table: DynamoTable) {
    super();
  }

  async latestVersion(key: string): Promise<AggregateVersion | undefined> {
    const out = await this.table.query({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :v)',
      ExpressionAttributeValues: { ':pk': aggregateKeys.latest(key).pk, ':v': aggregateKeys.versionPrefix },
      ScanIndexForward: false,
      Limit: 1,
      ConsistentRead: true,
    });
    const item = out.Items?.[0];
    return item ? toVersion(item) : undefined;
  }

  async pointerVersion(key: string): Promise<number | undefined> {
    const item = await this.table.get(aggregateKeys.latest(key), 'version');
    return item ? Number(item.version) : undefined;
  }

  async putVersion(version: AggregateVersion): Promise<boolean> {
    return this.table.putIf(
      { ...aggregateKeys.version(version.key, version.version), ...version },
      'attribute_not_exists(pk)',
    );
  }

  async advanceLatest(version: AggregateVersion): Promise<void> {
    // The pointer carries the version (without the input list) so one gsi1 Query answers a listing.
    const rest: Partial<AggregateVersion> = { ...version };
    delete rest.input_event_ids;
    // A false answer means a newer version already holds the pointer: nothing to do.
    await this.table.putIf(
      {
        ...aggregateKeys.latest(version.key),
        ...rest,
        gsi1pk: aggregateKeys.entity(version.entity_id),
        gsi1sk: version.hour,
      },
      'attribute_not_exists(pk) OR version < :v',
      { ':v': version.version },
    );
  }

  async getVersion(key: string, version: number): Promise<AggregateVersion | undefined> {
    const item = await this.table.get(aggregateKeys.version(key, version));
    return item ? toVersion(item) : undefined;
  }

  async versions(key: string): Promise<AggregateVersion[]> {
    return (
      await this.table.queryAll({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :v)',
        ExpressionAttributeValues: { ':pk': aggregateKeys.latest(key).pk, ':v': aggregateKeys.versionPrefix },
        ScanIndexForward: true,
        ConsistentRead: true,
      })
    ).map(toVersion);
  }

  async latestOfEntity(entityId: string, fromHour: string, toHour: string): Promise<AggregateVersion[]> {
    return (
      await this.table.queryAll({
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': aggregateKeys.entity(entityId),
          ':from': fromHour,
          ':to': toHour,
        },
        ScanIndexForward: true,
      })
    ).map(toVersion);
  }
}
