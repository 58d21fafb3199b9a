// The generic operations every DynamoDB store of the single table uses: one place that sends commands,
// maps SDK failures to app errors, drains query pages, fills cursor pages across partitions within a
// read budget and retries BatchGet's unprocessed keys with backoff. Stores add only their keys and
// item shapes.
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  QueryCommandInput,
  QueryCommandOutput,
  TransactWriteCommand,
  TransactWriteCommandInput,
  UpdateCommand,
  UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import { invalidCursor, PageCursors } from '../paging/page-cursor';
import type { Page, PageRequest } from '../paging/page';
import { ReadBudget, ReadLimits } from '../paging/read-budget';
import { MergeAt, mergeShards, ReadShard, resumeOver } from '../paging/shard-merge';
import type { Env } from '../config/env.config';
import { rethrowStorage } from './storage-errors';

export type Item = Record<string, unknown>;
export type TableQuery = Omit<QueryCommandInput, 'TableName'>;
export type TableUpdate = Omit<UpdateCommandInput, 'TableName'>;
/** One write of a TransactWriteItems call. */
export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** True for the error DynamoDB answers when a write's ConditionExpression did not hold. */
export const isConditionFailure = (err: unknown): boolean =>
  (err as { name?: string })?.name === 'ConditionalCheckFailedException';

/** True for the error DynamoDB answers when a transaction was cancelled (a condition did not hold). */
export const isTransactionCancelled = (err: unknown): boolean =>
  (err as { name?: string })?.name === 'TransactionCanceledException';

/** Per item of a cancelled transaction its code (`None` when it held); undefined for another failure. */
export function cancellationCodes(err: unknown): string[] | undefined {
  const reasons = (err as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
  if (!isTransactionCancelled(err) || !reasons) return undefined;
  return reasons.map((r) => r.Code ?? 'None');
}

/**
 * The item each refused write of a cancelled transaction found (asked for with
 * ReturnValuesOnConditionCheckFailure: ALL_OLD), unmarshalled; undefined where there is none.
 */
export function cancellationItems(err: unknown): (Item | undefined)[] {
  const reasons = (err as { CancellationReasons?: { Item?: Record<string, AttributeValue> }[] })
    .CancellationReasons;
  return (reasons ?? []).map((r) => (r.Item ? unmarshall(r.Item) : undefined));
}

/** BatchGetItem takes at most 100 keys per call. */
const BATCH_GET_MAX = 100;
/** Unprocessed keys are asked for again after 20, 40, 80 ... ms (capped), as the SDK guide advises. */
export const backoffMs = (attempt: number): number => Math.min(1_000, 20 * 2 ** (attempt - 1));

/** Copies the listed attributes that are present: stored items carry keys the domain does not see. */
export function pick<T>(item: Item, fields: readonly string[]): T {
  const out: Item = {};
  for (const f of fields) if (item[f] !== undefined) out[f] = item[f];
  return out as T;
}

/** Examined items per round trip of a filtered read: enough that a rare match costs few trips. */
export const FILTERED_READ_CHUNK = 1000;

/** The read budget of one paged read, from config. */
export function readLimitsOf(env: Env): ReadLimits {
  return { maxRoundTrips: env.READ_MAX_ROUND_TRIPS, maxItems: env.READ_MAX_ITEMS, maxMs: env.READ_MAX_MS };
}

export class DynamoTable {
  constructor(
    readonly db: DynamoDBDocumentClient,
    readonly name: string,
    private readonly limits: ReadLimits,
    private readonly cursors: PageCursors,
  ) {}

  /** Runs one SDK call; an unavailable dependency becomes StorageUnavailableError, others pass unchanged. */
  async call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      return rethrowStorage('dynamodb', operation, err);
    }
  }

  async get(key: Item, projection?: string): Promise<Item | undefined> {
    const out = await this.call('GetItem', () =>
      this.db.send(
        new GetCommand({
          TableName: this.name,
          Key: key,
          ConsistentRead: true,
          ...(projection ? { ProjectionExpression: projection } : {}),
        }),
      ),
    );
    return out.Item;
  }

  async put(item: Item): Promise<void> {
    await this.call('PutItem', () => this.db.send(new PutCommand({ TableName: this.name, Item: item })));
  }

  /** Conditional put: false when the condition did not hold (nothing was written). */
  async putIf(item: Item, condition: string, values?: Item): Promise<boolean> {
    try {
      await this.call('PutItem', () =>
        this.db.send(
          new PutCommand({
            TableName: this.name,
            Item: item,
            ConditionExpression: condition,
            ...(values ? { ExpressionAttributeValues: values } : {}),
          }),
        ),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  /** UpdateItem; the item after the update when `ReturnValues` asks for it. */
  async update(input: TableUpdate): Promise<Item | undefined> {
    const out = await this.call('UpdateItem', () =>
      this.db.send(new UpdateCommand({ ...input, TableName: this.name })),
    );
    return out.Attributes;
  }

  /** Conditional update returning the new item, or undefined when the condition did not hold. */
  async updateIf(input: TableUpdate): Promise<Item | undefined> {
    try {
      return (await this.update({ ...input, ReturnValues: input.ReturnValues ?? 'ALL_NEW' })) ?? {};
    } catch (err) {
      if (isConditionFailure(err)) return undefined;
      throw err;
    }
  }

  async transactWrite(input: TransactWriteCommandInput): Promise<void> {
    await this.call('TransactWriteItems', () => this.db.send(new TransactWriteCommand(input)));
  }

  async query(input: TableQuery): Promise<QueryCommandOutput> {
    return this.call('Query', () => this.db.send(new QueryCommand({ ...input, TableName: this.name })));
  }

  /** Every item a query matches, following LastEvaluatedKey to the end. */
  async queryAll(input: TableQuery): Promise<Item[]> {
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const out = await this.query({ ...input, ExclusiveStartKey: start });
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /**
   * Reads items by key with BatchGetItem (100 keys per call), asking again for unprocessed keys with
   * exponential backoff. Keys not found are simply absent from the result.
   */
  async batchGet(keys: Item[]): Promise<Item[]> {
    const found: Item[] = [];
    for (let i = 0; i < keys.length; i += BATCH_GET_MAX) {
      let requested = keys.slice(i, i + BATCH_GET_MAX);
      for (let attempt = 0; requested.length > 0; attempt++) {
        if (attempt > 0) await sleep(backoffMs(attempt));
        const out = await this.call('BatchGetItem', () =>
          this.db.send(new BatchGetCommand({ RequestItems: { [this.name]: { Keys: requested } } })),
        );
        found.push(...(out.Responses?.[this.name] ?? []));
        requested = (out.UnprocessedKeys?.[this.name]?.Keys as Item[] | undefined) ?? [];
      }
    }
    return found;
  }

  /**
   * Reads `partitions` in order, filling a page of `limit` items. It asks for one item more than it
   * needs, so the last page says `next_cursor: null` instead of leading to an empty page. A filtered
   * partition is read in chunks of FILTERED_READ_CHUNK examined items (DynamoDB applies `Limit`
   * before the filter). The read stops when its budget (round trips, items examined, time) is spent:
   * it answers what it found, possibly nothing, with a cursor to continue and `stopped_early`.
   * Cursors are bound to `partitions` (keys, window, filter, order): another query's cursor is a 400.
   */
  async pagedQuery<T>(partitions: TableQuery[], page: PageRequest, map: (item: Item) => T): Promise<Page<T>> {
    const state = this.openCursor(partitions, page.cursor);
    const seal = (next: CursorAt) => this.cursors.seal(partitions, { ...next }, page.clock);
    const budget = new ReadBudget(this.limits);
    const items: T[] = [];
    let p = state.p;
    let start = state.k;
    // The last item taken: with a FilterExpression a full page may still be probing for one more.
    let last: Item | undefined;
    while (p < partitions.length) {
      if (budget.spent()) {
        return {
          items,
          next_cursor: seal(start ? { p, k: start } : { p }),
          stopped_early: items.length < page.limit,
        };
      }
      const partition = partitions[p];
      const need = page.limit - items.length;
      const want = partition.FilterExpression ? Math.max(need + 1, FILTERED_READ_CHUNK) : need + 1;
      const out = await this.query({ ...partition, Limit: budget.limit(want), ExclusiveStartKey: start });
      const got = out.Items ?? [];
      budget.charge(out.ScannedCount ?? got.length);
      if (got.length > need) {
        const taken = got.slice(0, need);
        items.push(...taken.map(map));
        last = taken[taken.length - 1] ?? last;
        return { items, next_cursor: seal({ p, k: keyOf(last, partition.IndexName) }) };
      }
      items.push(...got.map(map));
      last = got[got.length - 1] ?? last;
      start = out.LastEvaluatedKey;
      if (!start) {
        p += 1;
        if (items.length === page.limit && p < partitions.length) {
          return { items, next_cursor: seal({ p }) };
        }
      }
    }
    return { items, next_cursor: null };
  }

  /**
   * pagedQuery over days whose items are spread over shards: `days[d]` holds one query per shard of
   * day d, as dayShardPartitions builds them (`<index>sk BETWEEN :from AND :to`, one order). Each
   * day's shards are merged by the index sort key (shard-merge.ts); same budget and bound cursors.
   */
  async mergedPagedQuery<T>(
    days: TableQuery[][],
    page: PageRequest,
    map: (item: Item) => T,
  ): Promise<Page<T>> {
    // A cursor is bound to the query (its days' first shards: source, window, type, order), not to
    // the shard count, which a raise may change between two pages (resumeOver).
    const scope = days.map((shards) => shards[0]);
    const first = days[0]?.[0];
    const sortOf = (item: Item): string => String(item[`${first?.IndexName ?? ''}sk`]);
    const order = first?.ScanIndexForward === false ? 'desc' : 'asc';
    const opened = this.openCursor(scope, page.cursor) as unknown as MergeAt;
    const at = resumeOver(opened, days[opened.p]?.length ?? 0, order);
    if (at === undefined) {
      throw invalidCursor(
        'read over more index shards than are recorded now; start again from the first page',
      );
    }
    const read: ReadShard<T> = async (d, s, from, limit) => {
      const q = days[d][s];
      const bound = from.after ?? from.at;
      const values = { ...q.ExpressionAttributeValues, [order === 'asc' ? ':from' : ':to']: bound };
      const out = await this.query({
        ...q,
        Limit: limit,
        ExclusiveStartKey: from.token as Item | undefined,
        ...(bound === undefined ? {} : { ExpressionAttributeValues: values }),
      });
      const got = out.Items ?? [];
      const next = out.LastEvaluatedKey;
      return {
        items: got.map((item) => ({ sort: sortOf(item), value: map(item) })),
        examined: out.ScannedCount ?? got.length,
        ...(next ? { next: { token: next, sort: sortOf(next) } } : {}),
      };
    };
    const filtered = first?.FilterExpression ? { filteredChunk: FILTERED_READ_CHUNK } : {};
    const request = {
      days: days.length,
      shards: days[0]?.length ?? 0,
      order,
      limit: page.limit,
      ...filtered,
    } as const;
    const { next, ...found } = await mergeShards(request, at, new ReadBudget(this.limits), read);
    return { ...found, next_cursor: next ? this.cursors.seal(scope, { ...next }, page.clock) : null };
  }

  /** One page of a single-partition query, newest or oldest first as the query says. */
  async queryPage<T>(input: TableQuery, page: PageRequest, map: (item: Item) => T): Promise<Page<T>> {
    const state = this.openCursor(input, page.cursor);
    const out = await this.query({ ...input, Limit: page.limit, ExclusiveStartKey: state.k });
    const next: CursorAt | undefined = out.LastEvaluatedKey ? { p: 0, k: out.LastEvaluatedKey } : undefined;
    return {
      items: (out.Items ?? []).map(map),
      next_cursor: next ? this.cursors.seal(input, { ...next }, page.clock) : null,
    };
  }

  private openCursor(scope: unknown, cursor: string | undefined): CursorAt {
    return cursor === undefined ? { p: 0 } : (this.cursors.open(scope, cursor) as unknown as CursorAt);
  }
}

/** Where a paged read continues: the partition index and DynamoDB's LastEvaluatedKey inside it. */
interface CursorAt {
  p: number;
  k?: Item;
}

/** The key DynamoDB would return as LastEvaluatedKey after `item`: table keys plus the index's keys. */
function keyOf(item: Item, index: string | undefined): Item {
  const key: Item = { pk: item.pk, sk: item.sk };
  if (index) {
    key[`${index}pk`] = item[`${index}pk`];
    key[`${index}sk`] = item[`${index}sk`];
  }
  return key;
}
