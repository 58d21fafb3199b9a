// Replay jobs on the single DynamoDB table: one item per job (pk REPLAY#<id>, sk #JOB), listed newest
// first through gsi1 and the pending/running ones through the sparse gsi2 partition REPLAY_ACTIVE.
import { DynamoTable, Item, pick } from '../shared/aws/dynamo-table';
import { keys } from '../shared/aws/table-keys';
import { claimJobUpdate, releaseUpdate } from '../shared/lease/lease';
import type { Page } from '../shared/paging/page';
import { Checkpoint, ReplayJob, ReplayJobStore, ReplayStatus } from './replay-job-store';
import { shardCounts } from './dynamo-replay-progress';
import { mapLimit } from '../shared/async/map-limit';

/** Jobs of a listing whose shard counts are read at once. */
const COUNT_READS = 4;

const JOB_FIELDS = [
  'replay_id',
  'status',
  'filter',
  'reason',
  'requested_by',
  'queue',
  'format',
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
  'resend_of',
  'owner',
  'lease_until',
  'progress_shards',
] as const;

function toJob(item: Item): ReplayJob {
  const job = pick<ReplayJob>(item, JOB_FIELDS);
  job.processed = Number(item.processed ?? 0);
  job.sent = Number(item.sent ?? 0);
  job.failed = Number(item.failed ?? 0);
  job.next_index = Number(item.next_index ?? 0);
  return job;
}

export class DynamoReplayJobStore extends ReplayJobStore {
  constructor(private readonly table: DynamoTable) {
    super();
  }

  /** The job with `processed` summed over its shard counts (the processor writes those, not the job). */
  private async counted(item: Item): Promise<ReplayJob> {
    const job = toJob(item);
    job.processed += await shardCounts(this.table, job.replay_id, job.progress_shards);
    return job;
  }

  async create(job: ReplayJob): Promise<void> {
    const sortKey = keys.sortKey(job.created_at, job.replay_id);
    const created = await this.table.putIf(
      {
        ...keys.replayJob(job.replay_id),
        ...job,
        gsi1pk: keys.replays,
        gsi1sk: sortKey,
        gsi2pk: keys.replaysActive,
        gsi2sk: sortKey,
      },
      'attribute_not_exists(pk)',
    );
    if (!created) throw new Error(`replay ${job.replay_id} already exists`);
  }

  async get(replayId: string): Promise<ReplayJob | undefined> {
    const item = await this.table.get(keys.replayJob(replayId));
    return item ? this.counted(item) : undefined;
  }

  async list(limit: number, cursor?: string): Promise<Page<ReplayJob>> {
    const page = await this.table.queryPage(
      {
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.replays },
        ScanIndexForward: false,
      },
      { limit, cursor },
      (item) => item,
    );
    return { ...page, items: await mapLimit(page.items, COUNT_READS, (item) => this.counted(item)) };
  }

  async active(): Promise<ReplayJob[]> {
    const items = await this.table.queryAll({
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.replaysActive },
    });
    // For the runners, which never read `processed`: the job item's own figure, no shard reads.
    return items.map(toJob);
  }

  async claim(
    replayId: string,
    owner: string,
    now: number,
    leaseUntil: number,
  ): Promise<ReplayJob | undefined> {
    const item = await this.table.updateIf(claimJobUpdate(keys.replayJob(replayId), owner, now, leaseUntil));
    return item ? toJob(item) : undefined;
  }

  async checkpoint(
    replayId: string,
    owner: string,
    checkpoint: Checkpoint,
    leaseUntil: number,
  ): Promise<ReplayStatus | 'lost'> {
    const update = (status: 'running' | 'cancelled') =>
      this.table.updateIf({
        ReturnValues: 'NONE',
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
      });
    // The hot path, once per batch: a small conditional write that returns nothing.
    if (await update('running')) return 'running';
    const now = await this.get(replayId);
    if (now?.owner !== owner || now.status !== 'cancelled') return 'lost';
    // Still recorded after a cancel, so `sent` counts the batch that was in flight when it came.
    return (await update('cancelled')) ? 'cancelled' : 'lost';
  }

  async finish(
    replayId: string,
    owner: string,
    status: 'completed' | 'failed',
    finishedAt: string,
    end: { error?: string; checkpoint?: Checkpoint } = {},
  ): Promise<boolean> {
    const { error, checkpoint } = end;
    const sets = [
      '#status = :status',
      'finished_at = :at',
      ...(error ? ['#error = :error'] : []),
      ...(checkpoint ? ['next_index = :next', 'sent = :sent', 'failed = :failed'] : []),
    ];
    const item = await this.table.updateIf({
      ReturnValues: 'NONE',
      Key: keys.replayJob(replayId),
      UpdateExpression: `SET ${sets.join(', ')} REMOVE gsi2pk, gsi2sk, #owner, lease_until`,
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
        ...(checkpoint
          ? { ':next': checkpoint.next_index, ':sent': checkpoint.sent, ':failed': checkpoint.failed }
          : {}),
      },
    });
    return item !== undefined;
  }

  async release(replayId: string, owner: string): Promise<void> {
    await this.table.updateIf(releaseUpdate(keys.replayJob(replayId), owner));
  }

  async cancel(replayId: string, finishedAt: string): Promise<ReplayJob | undefined> {
    const item = await this.table.updateIf({
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
    return item ? this.counted(item) : undefined;
  }
}
