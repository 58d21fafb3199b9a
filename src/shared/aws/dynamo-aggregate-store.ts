import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  QueryCommandInput,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { AggregateStore, AggregateVersion, ReplayProgress } from './aggregate-store';
import { rethrowStorage } from './storage-errors';
import { aggregateKeys, replayProgressKeys } from './table-keys';
import { TTL_ATTRIBUTE } from './provisioner';

type Item = Record<string, unknown>;

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

function toVersion(item: Item): AggregateVersion {
  const out: Record<string, unknown> = {};
  for (const f of VERSION_FIELDS) if (item[f] !== undefined) out[f] = item[f];
  return out as unknown as AggregateVersion;
}

const isConditionFailure = (err: unknown): boolean =>
  (err as { name?: string })?.name === 'ConditionalCheckFailedException';

/** Markers outlive any redelivery: SQS keeps a message at most 14 days. */
const MARKER_TTL_S = 15 * 24 * 3600;

export class DynamoAggregateStore extends AggregateStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {
    super();
  }

  async latestVersion(key: string): Promise<AggregateVersion | undefined> {
    const out = await this.query({
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
    const item = await this.get(aggregateKeys.latest(key), 'version');
    return item ? Number(item.version) : undefined;
  }

  async putVersion(version: AggregateVersion): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...aggregateKeys.version(version.key, version.version), ...version },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      return rethrowStorage('dynamodb', 'PutItem', err);
    }
  }

  async advanceLatest(version: AggregateVersion): Promise<void> {
    // The pointer carries the version (without the input list) so one gsi1 Query answers a listing.
    const rest: Partial<AggregateVersion> = { ...version };
    delete rest.input_event_ids;
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...aggregateKeys.latest(version.key),
            ...rest,
            gsi1pk: aggregateKeys.entity(version.entity_id),
            gsi1sk: version.hour,
          },
          ConditionExpression: 'attribute_not_exists(pk) OR version < :v',
          ExpressionAttributeValues: { ':v': version.version },
        }),
      );
    } catch (err) {
      if (!isConditionFailure(err)) rethrowStorage('dynamodb', 'PutItem', err);
    }
  }

  async getVersion(key: string, version: number): Promise<AggregateVersion | undefined> {
    const item = await this.get(aggregateKeys.version(key, version));
    return item ? toVersion(item) : undefined;
  }

  async versions(key: string): Promise<AggregateVersion[]> {
    return (
      await this.queryAll({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :v)',
        ExpressionAttributeValues: { ':pk': aggregateKeys.latest(key).pk, ':v': aggregateKeys.versionPrefix },
        ScanIndexForward: true,
        ConsistentRead: true,
      })
    ).map(toVersion);
  }

  async latestOfEntity(entityId: string, fromHour: string, toHour: string): Promise<AggregateVersion[]> {
    return (
      await this.queryAll({
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

  private async get(key: Item, projection?: string): Promise<Item | undefined> {
    try {
      const out = await this.db.send(
        new GetCommand({
          TableName: this.table,
          Key: key,
          ConsistentRead: true,
          ...(projection ? { ProjectionExpression: projection } : {}),
        }),
      );
      return out.Item;
    } catch (err) {
      return rethrowStorage('dynamodb', 'GetItem', err);
    }
  }

  private async query(input: Omit<QueryCommandInput, 'TableName'>) {
    try {
      return await this.db.send(new QueryCommand({ ...input, TableName: this.table }));
    } catch (err) {
      return rethrowStorage('dynamodb', 'Query', err);
    }
  }

  private async queryAll(input: Omit<QueryCommandInput, 'TableName'>): Promise<Item[]> {
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const out = await this.query({ ...input, ExclusiveStartKey: start });
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }
}

export class DynamoReplayProgress extends ReplayProgress {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {
    super();
  }

  async markProcessed(replayId: string, eventId: string): Promise<boolean> {
    // One transaction: the marker and the count are written together or not at all, so a crash
    // can never leave an event marked but uncounted.
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.table,
                Item: {
                  ...replayProgressKeys.done(replayId, eventId),
                  replay_id: replayId,
                  event_id: eventId,
                  processed_at: new Date().toISOString(),
                  [TTL_ATTRIBUTE]: Math.floor(Date.now() / 1000) + MARKER_TTL_S,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Update: {
                TableName: this.table,
                Key: replayProgressKeys.job(replayId),
                UpdateExpression: 'ADD #processed :n',
                ConditionExpression: 'attribute_exists(pk)',
                ExpressionAttributeNames: { '#processed': 'processed' },
                ExpressionAttributeValues: { ':n': 1 },
              },
            },
          ],
        }),
      );
      return true;
    } catch (err) {
      const reasons = (err as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
      if ((err as { name?: string }).name === 'TransactionCanceledException' && reasons) {
        // Marker already there: counted before. Job missing: not sent by a replay job (tests, manual).
        if (reasons.some((r) => r.Code === 'ConditionalCheckFailed')) return false;
      }
      return rethrowStorage('dynamodb', 'TransactWriteItems', err);
    }
  }
}
