// The event index on the single DynamoDB table: event items (pk EVT#<id>) with their gsi1 (entity),
// gsi2 (source day), sparse gsi3 (late) and gsi4 (duplicated) keys, and attempt items beside them.
import { AttributeValue, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { dayPartitions, dayShardPartitions } from '../aws/day-partitions';
import { DynamoTable, isConditionFailure, Item, pick } from '../aws/dynamo-table';
import { rethrowStorage } from '../aws/storage-errors';
import { dayOf, keys, sourceShard } from '../aws/table-keys';
import { fixedShards, ShardCounts } from '../shards/shard-counts';
import type { Page, PageRequest, TimeWindow } from '../paging/page';
import { Retention } from '../retention/retention';
import { Attempt, ATTEMPTS_KEPT, EventIndex, EventRecord, RepeatResult } from './event-index';

const EVENT_FIELDS = [
  'event_id',
  'source',
  'type',
  'entity_id',
  'occurred_at',
  'received_at',
  'lag_ms',
  'late',
  'future',
  'sequence',
  'idempotency_key',
  'schema_version',
  'payload_sha256',
  'size_bytes',
  's3_key',
  's3_range',
  'request_id',
  'key_id',
  'duplicate_count',
  'conflict_count',
  'first_duplicate_at',
  'last_duplicate_at',
  'recovered_at',
] as const;

const toEvent = (item: Item): EventRecord => pick<EventRecord>(item, EVENT_FIELDS);

function toAttempt(item: Item): Attempt {
  return {
    attempt_id: String(item.attempt_id),
    event_id: String(item.event_id),
    source: String(item.source),
    kind: item.kind as Attempt['kind'],
    received_at: String(item.received_at),
    payload_sha256: String(item.payload_sha256),
    request_id: String(item.request_id),
    ...(typeof item.key_id === 'string' ? { key_id: item.key_id } : {}),
    ...(typeof item.s3_key === 'string' ? { s3_key: item.s3_key } : {}),
  };
}

/**
 * The index item of a new event with its gsi1 (entity), gsi2 (source day, on the event's shard of
 * `sourceShards`) and sparse gsi3 (late) keys.
 */
export function eventItem(event: EventRecord, retention: Retention, sourceShards = 1): Item {
  const day = dayOf(event.received_at);
  const item: Item = {
    ...keys.event(event.event_id),
    ...event,
    ...retention.ttl('events', event.received_at),
    gsi1pk: keys.entity(event.entity_id),
    gsi1sk: keys.sortKey(event.occurred_at, event.event_id),
    gsi2pk: keys.sourceDay(event.source, day, sourceShard(event.event_id, sourceShards)),
    gsi2sk: keys.sortKey(event.received_at, event.event_id),
  };
  if (event.late) {
    item.gsi3pk = keys.lateDay(event.source, day);
    item.gsi3sk = keys.sortKey(event.received_at, event.event_id);
  }
  return item;
}

export class DynamoEventIndex extends EventIndex {
  constructor(
    private readonly table: DynamoTable,
    private readonly retention: Retention,
    /** gsi2 partitions per source day: written with its `write()` count, read over its `read()` count. */
    private readonly sourceShards: ShardCounts = fixedShards(1),
  ) {
    super();
  }

  async claim(event: EventRecord): Promise<{ claimed: true } | { claimed: false; existing: EventRecord }> {
    try {
      await this.table.db.send(
        new PutCommand({
          TableName: this.table.name,
          Item: eventItem(event, this.retention, this.sourceShards.write()),
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { claimed: true };
    } catch (err) {
      if (isConditionFailure(err)) {
        const raw = (err as { Item?: Record<string, AttributeValue> }).Item;
        const old = raw ? unmarshall(raw) : await this.table.get(keys.event(event.event_id));
        if (old) return { claimed: false, existing: toEvent(old) };
      }
      return rethrowStorage('dynamodb', 'PutItem', err);
    }
  }

  async recordRepeat(attempt: Attempt): Promise<RepeatResult> {
    const day = dayOf(attempt.received_at);
    const update =
      attempt.kind === 'duplicate'
        ? {
            // The first repeat also puts the event into the sparse duplicates index (gsi4).
            UpdateExpression:
              'ADD duplicate_count :one SET last_duplicate_at = :at, ' +
              'first_duplicate_at = if_not_exists(first_duplicate_at, :at), ' +
              'gsi4pk = if_not_exists(gsi4pk, :dpk), gsi4sk = if_not_exists(gsi4sk, :dsk)',
            ExpressionAttributeValues: {
              ':one': 1,
              ':at': attempt.received_at,
              ':dpk': keys.duplicateDay(attempt.source, day),
              ':dsk': keys.sortKey(attempt.received_at, attempt.event_id),
            },
          }
        : { UpdateExpression: 'ADD conflict_count :one', ExpressionAttributeValues: { ':one': 1 } };
    const updated = (await this.table.update({
      Key: keys.event(attempt.event_id),
      ConditionExpression: 'attribute_exists(pk)',
      ...update,
      ReturnValues: 'ALL_NEW',
    }))!;
    const seen = Number(updated.duplicate_count ?? 0) + Number(updated.conflict_count ?? 0);
    const attemptKept = seen <= ATTEMPTS_KEPT;
    if (attemptKept) {
      const item: Item = {
        ...keys.attempt(attempt.event_id, attempt.received_at, attempt.attempt_id),
        ...attempt,
        ...this.retention.ttl('attempts', attempt.received_at),
      };
      if (attempt.kind === 'conflict') {
        item.gsi4pk = keys.conflictDay(attempt.source, day);
        item.gsi4sk = keys.sortKey(attempt.received_at, attempt.event_id);
      }
      await this.table.put(item);
    }
    return { event: toEvent(updated), attemptKept };
  }

  async repoint(eventId: string, from: string, to: string, range?: [number, number]): Promise<boolean> {
    const updated = await this.table.updateIf({
      Key: keys.event(eventId),
      ConditionExpression: 's3_key = :from',
      UpdateExpression: range ? 'SET s3_key = :to, s3_range = :range' : 'SET s3_key = :to REMOVE s3_range',
      ExpressionAttributeValues: { ':from': from, ':to': to, ...(range ? { ':range': range } : {}) },
      ReturnValues: 'NONE',
    });
    return updated !== undefined;
  }

  async getEvent(eventId: string): Promise<EventRecord | undefined> {
    const item = await this.table.get(keys.event(eventId));
    return item ? toEvent(item) : undefined;
  }

  async getEvents(eventIds: string[]): Promise<Map<string, EventRecord>> {
    const items = await this.table.batchGet([...new Set(eventIds)].map((id) => keys.event(id)));
    return new Map(items.map((item) => [String(item.event_id), toEvent(item)]));
  }

  async attempts(eventId: string, page: PageRequest): Promise<Page<Attempt>> {
    return this.table.pagedQuery(
      [
        {
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :att)',
          ExpressionAttributeValues: { ':pk': keys.event(eventId).pk, ':att': keys.attemptPrefix },
        },
      ],
      page,
      toAttempt,
    );
  }

  async eventsOfEntity(
    entityId: string,
    window: TimeWindow,
    order: 'asc' | 'desc',
    page: PageRequest,
  ): Promise<Page<EventRecord>> {
    return this.table.pagedQuery(
      [
        {
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':pk': keys.entity(entityId),
            ':from': window.from,
            ':to': `${window.to}#~`,
          },
          ScanIndexForward: order === 'asc',
        },
      ],
      page,
      toEvent,
    );
  }

  async eventsOfSource(
    source: string,
    type: string | undefined,
    window: TimeWindow,
    page: PageRequest,
  ): Promise<Page<EventRecord>> {
    return this.table.mergedPagedQuery(this.sourceDays(source, window, type), page, toEvent);
  }

  async latestOfSource(source: string, window: TimeWindow): Promise<EventRecord | undefined> {
    for (const shards of this.sourceDays(source, window).reverse()) {
      const newest = await Promise.all(
        shards.map(
          async (q) => (await this.table.query({ ...q, ScanIndexForward: false, Limit: 1 })).Items?.[0],
        ),
      );
      const found = newest.filter((item): item is Item => item !== undefined);
      // Sort keys are `<received_at>#<event_id>`: the largest is the newest across the day's shards.
      const latest = found.reduce<Item | undefined>(
        (a, b) => (!a || String(b.gsi2sk) > String(a.gsi2sk) ? b : a),
        undefined,
      );
      if (latest) return toEvent(latest);
    }
    return undefined;
  }

  /** Per received day of the window, one gsi2 query per source index shard. */
  private sourceDays(source: string, window: TimeWindow, type?: string) {
    const shards = this.sourceShards.read();
    return dayShardPartitions('gsi2', (day) => keys.sourceDayShards(source, day, shards), window, type);
  }

  async sequencedEventsOfEntity(
    entityId: string,
    source: string,
    page: PageRequest,
  ): Promise<Page<EventRecord>> {
    return this.table.pagedQuery(
      [
        {
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          FilterExpression: '#source = :source AND attribute_exists(#sequence)',
          ExpressionAttributeNames: { '#source': 'source', '#sequence': 'sequence' },
          ExpressionAttributeValues: { ':pk': keys.entity(entityId), ':source': source },
        },
      ],
      page,
      toEvent,
    );
  }

  async lateEvents(
    source: string,
    window: TimeWindow,
    page: PageRequest,
    minLagMs?: number,
  ): Promise<Page<EventRecord>> {
    const partitions = dayPartitions('gsi3', (day) => keys.lateDay(source, day), window).map((q) =>
      minLagMs === undefined
        ? q
        : {
            ...q,
            FilterExpression: 'lag_ms >= :min_lag',
            ExpressionAttributeValues: { ...q.ExpressionAttributeValues, ':min_lag': minLagMs },
          },
    );
    return this.table.pagedQuery(partitions, page, toEvent);
  }

  async duplicatedEvents(source: string, window: TimeWindow, page: PageRequest): Promise<Page<EventRecord>> {
    return this.table.pagedQuery(
      dayPartitions('gsi4', (day) => keys.duplicateDay(source, day), window),
      page,
      toEvent,
    );
  }

  async conflicts(source: string, window: TimeWindow, page: PageRequest): Promise<Page<Attempt>> {
    return this.table.pagedQuery(
      dayPartitions('gsi4', (day) => keys.conflictDay(source, day), window),
      page,
      toAttempt,
    );
  }

  async ping(signal?: AbortSignal): Promise<void> {
    await this.table.call('DescribeTable', () =>
      this.table.db.send(new DescribeTableCommand({ TableName: this.table.name }), { abortSignal: signal }),
    );
  }
}
