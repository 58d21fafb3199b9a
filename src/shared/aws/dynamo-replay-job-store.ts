import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  QueryCommandInput,
  UpdateCommand,
  UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { Page } from './event-index';
import { decodeCursor, encodeCursor } from './page-cursor';
import { Checkpoint, ReplayJob, ReplayJobStore, ReplayStatus } from './replay-job-store';
import { rethrowStorage } from './storage-errors';
import { keys } from './table-keys';

type Item = Record<string, unknown>;

const isConditionFailure = (err: unknown): boolean =>
  (err as { name?: string })?.name === 'ConditionalCheckFailedException';

const JOB_FIELDS = [
  'replay_id',
  'status',
  'filter',
  'reason',
  'requested_by',
  'queue',
  'created_at',
  'started_at',
  'finished_at',
  'matched',
  'bytes',
  'truncated',
  'max_events',
  'rate_per_second',
  'sent',
  'failed',
  'processed',
  'next_index',
  'manifest_key',
  'error',
  'owner',
  'lease_until',
] as const;

function toJob(item: Item): ReplayJob {
  const out: Record<string, unknown> = {};
  for (const f of JOB_FIELDS) if (item[f] !== undefined) out[f] = item[f];
  const job = out as unknown as ReplayJob;
  job.processed = Number(item.processed ?? 0);
  job.sent = Number(item.sent ?? 0);
  job.failed = Number(item.failed ?? 0);
  job.next_index = Number(item.next_index ?? 0);
  return job;
}

export class DynamoReplayJobStore extends ReplayJobStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {
    super();
  }

  async create(job: ReplayJob): Promise<void> {
    const sortKey = keys.sortKey(job.created_at, job.replay_id);
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...keys.replayJob(job.replay_id),
            ...job,
            gsi1pk: keys.replays,
            gsi1sk: sortKey,
            gsi2pk: keys.replaysActive,
            gsi2sk: sortKey,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (err) {
      rethrowStorage('dynamodb', 'PutItem', err);
    }
  }

  async get(replayId: string): Promise<ReplayJob | undefined> {
    try {
      const out = await this.db.send(
        new GetCommand({ TableName: this.table, Key: keys.replayJob(replayId), ConsistentRead: true }),
      );
      return out.Item ? toJob(out.Item) : undefined;
    } catch (err) {
      return rethrowStorage('dynamodb', 'GetItem', err);
    }
  }

  async list(limit: number, cursor?: string): Promise<Page<ReplayJob>> {
    const state = decodeCursor(cursor);
    const out = await this.query({
      TableName: this.table,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.replays },
      ScanIndexForward: false,
      Limit: limit,
      ExclusiveStartKey: state.k,
    });
    return {
      items: (out.Items ?? []).map(toJob),
      next_cursor: out.LastEvaluatedKey ? encodeCursor({ p: 0, k: out.LastEvaluatedKey }) : null,
    };
  }

  async active(): Promise<ReplayJob[]> {
    const jobs: ReplayJob[] = [];
    let start: Item | undefined;
    do {
      const out = await this.query({
        TableName: this.table,
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.replaysActive },
        ExclusiveStartKey: start,
      });
      jobs.push(...(out.Items ?? []).map(toJob));
      start = out.LastEvaluatedKey;
    } while (start);
    return jobs;
  }

  async claim(
    replayId: string,
    owner: string,
    now: number,
    leaseUntil: number,
  ): Promise<ReplayJob | undefined> {
    const item = await this.conditionalUpdate({
      Key: keys.replayJob(replayId),
      UpdateExpression:
        'SET #status = :running, started_at = if_not_exists(started_at, :started), #owner = :owner, lease_until = :lease',
      ConditionExpression:
        '#status IN (:pending, :running) AND (attribute_not_exists(lease_until) OR lease_until < :now OR #owner = :owner)',
      ExpressionAttributeNames: { '#status': 'status', '#owner': 'owner' },
      ExpressionAttributeValues: {
        ':running': 'running',
        ':pending': 'pending',
        ':started': new Date(now).toISOString(),
        ':owner': owner,
        ':lease': leaseUntil,
        ':now': now,
      },
    });
    return item ? toJob(item) : undefined;
  }

  async checkpoint(
    replayId: string,
    owner: string,
    checkpoint: Checkpoint,
    leaseUntil: number,
  ): Promise<ReplayStatus | 'lost'> {
    const update = (status: 'running' | 'cancelled') =>
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.replayJob(replayId),
          UpdateExpression: 'SET next_index = :next, sent = :sent, failed = :failed, lease_until = :lease',
          ConditionExpression: '#owner = :owner AND #status = :status',
          ExpressionAttributeNames: { '#status': 'status', '#owner': 'owner' },
          ExpressionAttributeValues: {
            ':next': checkpoint.next_index,
            ':sent': checkpoint.sent,
            ':failed': checkpoint.failed,
            ':lease': leaseUntil,
            ':owner': owner,
            ':status': status,
          },
        }),
      );
    try {
      // The hot path, once per batch: a small conditional write that returns nothing.
      await update('running');
      return 'running';
    } catch (err) {
      if (!isConditionFailure(err)) return rethrowStorage('dynamodb', 'UpdateItem', err);
    }
    const now = await this.get(replayId);
    if (now?.owner !== owner || now.status !== 'cancelled') return 'lost';
    try {
      // Still recorded after a cancel, so `sent` counts the batch that was in flight when it came.
      await update('cancelled');
      return 'cancelled';
    } catch (err) {
      if (isConditionFailure(err)) return 'lost';
      return rethrowStorage('dynamodb', 'UpdateItem', err);
    }
  }

  async finish(
    replayId: string,
    owner: string,
    status: 'completed' | 'failed',
    finishedAt: string,
    error?: string,
  ): Promise<boolean> {
    const item = await this.conditionalUpdate({
      Key: keys.replayJob(replayId),
      UpdateExpression: `SET #status = :status, finished_at = :at${error ? ', #error = :error' : ''} REMOVE gsi2pk, gsi2sk, #owner, lease_until`,
      ConditionExpression: '#owner = :owner AND #status = :running',
      ExpressionAttributeNames: {
        '#status': 'status',
        '#owner': 'owner',
        ...(error ? { '#error': 'error' } : {}),
      },
      ExpressionAttributeValues: {
        ':status': status,
        ':at': finishedAt,
        ':owner': owner,
        ':running': 'running',
        ...(error ? { ':error': error } : {}),
      },
    });
    return item !== undefined;
  }

  async release(replayId: string, owner: string): Promise<void> {
    await this.conditionalUpdate({
      Key: keys.replayJob(replayId),
      UpdateExpression: 'REMOVE #owner, lease_until',
      ConditionExpression: '#owner = :owner',
      ExpressionAttributeNames: { '#owner': 'owner' },
      ExpressionAttributeValues: { ':owner': owner },
    });
  }

  async cancel(replayId: string, finishedAt: string): Promise<ReplayJob | undefined> {
    const item = await this.conditionalUpdate({
      Key: keys.replayJob(replayId),
      UpdateExpression: 'SET #status = :cancelled, finished_at = :at REMOVE gsi2pk, gsi2sk',
      ConditionExpression: '#status IN (:pending, :running)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':cancelled': 'cancelled',
        ':pending': 'pending',
        ':running': 'running',
        ':at': finishedAt,
      },
    });
    return item ? toJob(item) : undefined;
  }

  /** The item after the update, or undefined when the condition did not hold. */
  private async conditionalUpdate(input: Omit<UpdateCommandInput, 'TableName'>): Promise<Item | undefined> {
    try {
      const out = await this.db.send(
        new UpdateCommand({ ...input, TableName: this.table, ReturnValues: 'ALL_NEW' }),
      );
      return out.Attributes;
    } catch (err) {
      if (isConditionFailure(err)) return undefined;
      return rethrowStorage('dynamodb', 'UpdateItem', err);
    }
  }

  private async query(input: QueryCommandInput) {
    try {
      return await this.db.send(new QueryCommand(input));
    } catch (err) {
      return rethrowStorage('dynamodb', 'Query', err);
    }
  }
}
