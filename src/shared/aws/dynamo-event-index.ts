import { AttributeValue, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  Attempt,
  ATTEMPTS_KEPT,
  CounterDelta,
  CounterRow,
  EventIndex,
  EventRecord,
  Page,
  PageRequest,
  RejectedRecord,
  RepeatResult,
  TimeWindow,
} from './event-index';
import { decodeCursor, encodeCursor } from './page-cursor';
import { rethrowStorage } from './storage-errors';
import { dayOf, daysOf, keys } from './table-keys';
import { LAG_BUCKETS_MS } from '../metrics/lag-histogram';

type Item = Record<string, unknown>;

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
  'duplicate_count',
  'conflict_count',
  'first_duplicate_at',
  'last_duplicate_at',
] as const;

function toEvent(item: Item): EventRecord {
  const out: Record<string, unknown> = {};
  for (const f of EVENT_FIELDS) if (item[f] !== undefined) out[f] = item[f];
  return out as unknown as EventRecord;
}

function toAttempt(item: Item): Attempt {
  return {
    event_id: String(item.event_id),
    source: String(item.source),
    kind: item.kind as Attempt['kind'],
    received_at: String(item.received_at),
    payload_sha256: String(item.payload_sha256),
    request_id: String(item.request_id),
    ...(typeof item.s3_key === 'string' ? { s3_key: item.s3_key } : {}),
  };
}

const isConditionFailure = (err: unknown): boolean =>
  (err as { name?: string })?.name === 'ConditionalCheckFailedException';

/** Runs `fn` over items with at most `limit` in flight. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** The index item of a new event with its gsi1 (entity), gsi2 (source day) and sparse gsi3 (late) keys. */
export function eventItem(event: EventRecord): Item {
  const day = dayOf(event.received_at);
  const item: Item = {
    ...keys.event(event.event_id),
    ...event,
    gsi1pk: keys.entity(event.entity_id),
    gsi1sk: keys.sortKey(event.occurred_at, event.event_id),
    gsi2pk: keys.sourceDay(event.source, day),
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
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {
    super();
  }

  async claim(event: EventRecord): Promise<{ claimed: true } | { claimed: false; existing: EventRecord }> {
    const item = eventItem(event);
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { claimed: true };
    } catch (err) {
      if (isConditionFailure(err)) {
        const raw = (err as { Item?: Record<string, AttributeValue> }).Item;
        const old = raw ? unmarshall(raw) : await this.getEventItem(event.event_id);
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
    let updated: Item;
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.event(attempt.event_id),
          ConditionExpression: 'attribute_exists(pk)',
          ...update,
          ReturnValues: 'ALL_NEW',
        }),
      );
      updated = out.Attributes!;
    } catch (err) {
      return rethrowStorage('dynamodb', 'UpdateItem', err);
    }
    const seen = Number(updated.duplicate_count ?? 0) + Number(updated.conflict_count ?? 0);
    const attemptKept = seen <= ATTEMPTS_KEPT;
    if (attemptKept) {
      const item: Item = {
        ...keys.attempt(attempt.event_id, attempt.received_at, attempt.request_id),
        ...attempt,
      };
      if (attempt.kind === 'conflict') {
        item.gsi4pk = keys.conflictDay(attempt.source, day);
        item.gsi4sk = keys.sortKey(attempt.received_at, attempt.event_id);
      }
      await this.put(item);
    }
    return { event: toEvent(updated), attemptKept };
  }

  async getEvent(eventId: string): Promise<EventRecord | undefined> {
    const item = await this.getEventItem(eventId);
    return item ? toEvent(item) : undefined;
  }

  async getEvents(eventIds: string[]): Promise<Map<string, EventRecord>> {
    const result = new Map<string, EventRecord>();
    const unique = [...new Set(eventIds)];
    for (let i = 0; i < unique.length; i += 100) {
      let requested: Item[] = unique.slice(i, i + 100).map((id) => keys.event(id));
      while (requested.length > 0) {
        try {
          const out = await this.db.send(
            new BatchGetCommand({ RequestItems: { [this.table]: { Keys: requested } } }),
          );
          for (const item of out.Responses?.[this.table] ?? []) {
            const event = toEvent(item);
            result.set(event.event_id, event);
          }
          requested = (out.UnprocessedKeys?.[this.table]?.Keys as Item[]) ?? [];
        } catch (err) {
          return rethrowStorage('dynamodb', 'BatchGetItem', err);
        }
      }
    }
    return result;
  }

  private async getEventItem(eventId: string): Promise<Item | undefined> {
    try {
      const out = await this.db.send(
        new GetCommand({ TableName: this.table, Key: keys.event(eventId), ConsistentRead: true }),
      );
      return out.Item;
    } catch (err) {
      return rethrowStorage('dynamodb', 'GetItem', err);
    }
  }

  async attempts(eventId: string, page: PageRequest): Promise<Page<Attempt>> {
    return this.pagedQuery(
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

  async putRejected(rejected: RejectedRecord): Promise<void> {
    const day = dayOf(rejected.received_at);
    await this.put({
      ...keys.rejected(rejected.rejection_id),
      ...rejected,
      gsi2pk: keys.rejectedSourceDay(rejected.source, day),
      gsi2sk: keys.sortKey(rejected.received_at, rejected.rejection_id),
      gsi3pk: keys.rejectedDay(day),
      gsi3sk: keys.sortKey(rejected.received_at, rejected.rejection_id),
    });
  }

  async addCounters(deltas: CounterDelta[]): Promise<void> {
    await mapLimit(deltas, 16, async (d) => {
      const values: Item = {
        ':received': d.received,
        ':accepted': d.accepted,
        ':duplicates': d.duplicates,
        ':conflicts': d.conflicts,
        ':rejected': d.rejected,
        ':late': d.late,
        ':future': d.future,
        ':bytes': d.bytes,
        ':lag_sum': d.lag_sum_ms,
        ':source': d.source,
        ':type': d.type,
        ':hour': d.hour,
      };
      const adds = [
        'received :received',
        'accepted :accepted',
        'duplicates :duplicates',
        'conflicts :conflicts',
        'rejected :rejected',
        'late :late',
        'future :future',
        'bytes :bytes',
        'lag_sum_ms :lag_sum',
      ];
      d.lag_buckets.forEach((n, i) => {
        if (n > 0) {
          adds.push(`lag_b${i} :b${i}`);
          values[`:b${i}`] = n;
        }
      });
      try {
        await this.db.send(
          new UpdateCommand({
            TableName: this.table,
            Key: keys.counter(d.hour, d.source, d.type),
            UpdateExpression: `ADD ${adds.join(', ')} SET #source = :source, #type = :type, #hour = :hour`,
            ExpressionAttributeNames: { '#source': 'source', '#type': 'type', '#hour': 'hour' },
            ExpressionAttributeValues: values,
          }),
        );
      } catch (err) {
        rethrowStorage('dynamodb', 'UpdateItem', err);
      }
      if (d.lag_buckets.some((n) => n > 0)) await this.raiseLagMax(d);
    });
  }

  /** lag_max can't be ADDed: a conditional SET raises it only when this delta's max is larger. */
  private async raiseLagMax(d: CounterDelta): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.counter(d.hour, d.source, d.type),
          UpdateExpression: 'SET lag_max_ms = :max',
          ConditionExpression: 'attribute_not_exists(lag_max_ms) OR lag_max_ms < :max',
          ExpressionAttributeValues: { ':max': d.lag_max_ms },
        }),
      );
    } catch (err) {
      if (!isConditionFailure(err)) rethrowStorage('dynamodb', 'UpdateItem', err);
    }
  }

  async markActivity(entries: { source: string; day: string; minutes: number[] }[]): Promise<void> {
    await mapLimit(entries, 16, async (e) => {
      try {
        await this.db.send(
          new UpdateCommand({
            TableName: this.table,
            Key: keys.activity(e.source, e.day),
            UpdateExpression: 'ADD active_minutes :m',
            ExpressionAttributeValues: { ':m': new Set(e.minutes) },
          }),
        );
      } catch (err) {
        rethrowStorage('dynamodb', 'UpdateItem', err);
      }
    });
  }

  async eventsOfEntity(
    entityId: string,
    window: TimeWindow,
    order: 'asc' | 'desc',
    page: PageRequest,
  ): Promise<Page<EventRecord>> {
    return this.pagedQuery(
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
    return this.pagedQuery(
      this.dayPartitions('gsi2', (day) => keys.sourceDay(source, day), window, type),
      page,
      toEvent,
    );
  }

  async sequencedEventsOfEntity(
    entityId: string,
    source: string,
    page: PageRequest,
  ): Promise<Page<EventRecord>> {
    return this.pagedQuery(
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
    const partitions = this.dayPartitions('gsi3', (day) => keys.lateDay(source, day), window).map((q) =>
      minLagMs === undefined
        ? q
        : {
            ...q,
            FilterExpression: 'lag_ms >= :min_lag',
            ExpressionAttributeValues: { ...q.ExpressionAttributeValues, ':min_lag': minLagMs },
          },
    );
    return this.pagedQuery(partitions, page, toEvent);
  }

  async duplicatedEvents(source: string, window: TimeWindow, page: PageRequest): Promise<Page<EventRecord>> {
    return this.pagedQuery(
      this.dayPartitions('gsi4', (day) => keys.duplicateDay(source, day), window),
      page,
      toEvent,
    );
  }

  async conflicts(source: string, window: TimeWindow, page: PageRequest): Promise<Page<Attempt>> {
    return this.pagedQuery(
      this.dayPartitions('gsi4', (day) => keys.conflictDay(source, day), window),
      page,
      toAttempt,
    );
  }

  async rejected(
    source: string | undefined,
    window: TimeWindow,
    page: PageRequest,
  ): Promise<Page<RejectedRecord>> {
    const partitions =
      source === undefined
        ? this.dayPartitions('gsi3', (day) => keys.rejectedDay(day), window)
        : this.dayPartitions('gsi2', (day) => keys.rejectedSourceDay(source, day), window);
    return this.pagedQuery(partitions, page, (item) => {
      const out: Record<string, unknown> = {};
      for (const f of [
        'rejection_id',
        'source',
        'received_at',
        'request_id',
        'reason',
        'errors',
        's3_key',
        'size_bytes',
        'raw',
        'event_id',
      ]) {
        if (item[f] !== undefined) out[f] = item[f];
      }
      return out as unknown as RejectedRecord;
    });
  }

  async counters(hours: string[], source?: string): Promise<CounterRow[]> {
    const perHour = await mapLimit(hours, 16, async (hour) => {
      const rows: CounterRow[] = [];
      let start: Item | undefined;
      do {
        const input: QueryCommandInput = {
          TableName: this.table,
          KeyConditionExpression: source ? 'pk = :pk AND begins_with(sk, :src)' : 'pk = :pk',
          ExpressionAttributeValues: source
            ? { ':pk': keys.counterHour(hour), ':src': `${source}#` }
            : { ':pk': keys.counterHour(hour) },
          ExclusiveStartKey: start,
        };
        const out = await this.query(input);
        rows.push(...(out.Items ?? []).map(toCounterRow));
        start = out.LastEvaluatedKey;
      } while (start);
      return rows;
    });
    return perHour.flat();
  }

  async activity(source: string, days: string[]): Promise<Map<string, number[]>> {
    const result = new Map<string, number[]>();
    for (let i = 0; i < days.length; i += 100) {
      const chunk = days.slice(i, i + 100);
      let requested: Item[] = chunk.map((day) => keys.activity(source, day));
      while (requested.length > 0) {
        try {
          const out = await this.db.send(
            new BatchGetCommand({ RequestItems: { [this.table]: { Keys: requested } } }),
          );
          for (const item of out.Responses?.[this.table] ?? []) {
            const minutes = [...((item.active_minutes as Set<number>) ?? [])]
              .map(Number)
              .sort((a, b) => a - b);
            result.set(String(item.sk), minutes);
          }
          requested = (out.UnprocessedKeys?.[this.table]?.Keys as Item[]) ?? [];
        } catch (err) {
          return rethrowStorage('dynamodb', 'BatchGetItem', err);
        }
      }
    }
    return result;
  }

  async ping(signal?: AbortSignal): Promise<void> {
    try {
      await this.db.send(new DescribeTableCommand({ TableName: this.table }), { abortSignal: signal });
    } catch (err) {
      rethrowStorage('dynamodb', 'DescribeTable', err);
    }
  }

  private async put(item: Item): Promise<void> {
    try {
      await this.db.send(new PutCommand({ TableName: this.table, Item: item }));
    } catch (err) {
      rethrowStorage('dynamodb', 'PutItem', err);
    }
  }

  private async query(input: QueryCommandInput) {
    try {
      return await this.db.send(new QueryCommand(input));
    } catch (err) {
      return rethrowStorage('dynamodb', 'Query', err);
    }
  }

  /** One query per received day in the window, on a GSI whose sort key starts with the timestamp. */
  private dayPartitions(
    index: 'gsi2' | 'gsi3' | 'gsi4',
    partitionKey: (day: string) => string,
    window: TimeWindow,
    type?: string,
  ): Omit<QueryCommandInput, 'TableName'>[] {
    return daysOf(window.from, window.to).map((day) => ({
      IndexName: index,
      KeyConditionExpression: `${index}pk = :pk AND ${index}sk BETWEEN :from AND :to`,
      ExpressionAttributeValues: {
        ':pk': partitionKey(day),
        ':from': window.from,
        ':to': `${window.to}#~`,
        ...(type ? { ':type': type } : {}),
      },
      ...(type ? { FilterExpression: '#type = :type', ExpressionAttributeNames: { '#type': 'type' } } : {}),
    }));
  }

  /**
   * Reads `partitions` in order, filling a page of `limit` items. It asks for one item more than it
   * needs, so the last page says `next_cursor: null` instead of leading to an empty page.
   */
  private async pagedQuery<T>(
    partitions: Omit<QueryCommandInput, 'TableName'>[],
    page: PageRequest,
    map: (item: Item) => T,
  ): Promise<Page<T>> {
    const state = decodeCursor(page.cursor);
    const items: T[] = [];
    let p = state.p;
    let start = state.k;
    // The last item taken: with a FilterExpression a full page may still be probing for one more.
    let last: Item | undefined;
    while (p < partitions.length) {
      const partition = partitions[p];
      const need = page.limit - items.length;
      const out = await this.query({
        ...partition,
        TableName: this.table,
        Limit: need + 1,
        ExclusiveStartKey: start,
      });
      const got = out.Items ?? [];
      if (got.length > need) {
        const taken = got.slice(0, need);
        items.push(...taken.map(map));
        last = taken[taken.length - 1] ?? last;
        return {
          items,
          next_cursor: encodeCursor({ p, k: keyOf(last, partition.IndexName) }),
        };
      }
      items.push(...got.map(map));
      last = got[got.length - 1] ?? last;
      start = out.LastEvaluatedKey;
      if (!start) {
        p += 1;
        if (items.length === page.limit && p < partitions.length) {
          return { items, next_cursor: encodeCursor({ p }) };
        }
      }
    }
    return { items, next_cursor: null };
  }
}

/** The key DynamoDB would return as LastEvaluatedKey after `item`: table keys plus the index's keys. */
function keyOf(item: Item, index: string | undefined): Record<string, unknown> {
  const key: Record<string, unknown> = { pk: item.pk, sk: item.sk };
  if (index) {
    key[`${index}pk`] = item[`${index}pk`];
    key[`${index}sk`] = item[`${index}sk`];
  }
  return key;
}

function toCounterRow(item: Item): CounterRow {
  const n = (k: string): number => Number(item[k] ?? 0);
  return {
    source: String(item.source),
    type: String(item.type),
    hour: String(item.hour),
    received: n('received'),
    accepted: n('accepted'),
    duplicates: n('duplicates'),
    conflicts: n('conflicts'),
    rejected: n('rejected'),
    late: n('late'),
    future: n('future'),
    bytes: n('bytes'),
    lag_buckets: LAG_BUCKETS_MS.map((_, i) => n(`lag_b${i}`)),
    lag_sum_ms: n('lag_sum_ms'),
    lag_max_ms: n('lag_max_ms'),
  };
}
