// Replay progress on the single DynamoDB table: one DONE record per (replay, event) and a count,
// written together in one transaction: the processor's aggregate commit, whose items
// DynamoReplayMarks builds. A DONE record is a marker item, or rides on the event's first contribution
// (its gsi2 keys, replayProgressKeys.carried) when the same transaction adds it. A sharded job
// (`progress_shards`) has each marker in partition `REPLAY#<id>#<shard>` of its event, and each
// transaction adds its count to one shard's `#COUNT` item (no condition); an unsharded one keeps them
// beside the job item (`ADD processed` on `#JOB`, only if it exists). DynamoReplayLayouts tells the
// processor which; DynamoReplayProgress and shardCounts read them back.
import { DynamoTable, TransactItem } from '../shared/aws/dynamo-table';
import { progressShard, replayProgressKeys } from '../shared/aws/table-keys';
import { mapLimit } from '../shared/async/map-limit';
import { Retention, TTL_ATTRIBUTE } from '../shared/retention/retention';
import {
  countedOf,
  markItemsOf,
  MarksRefusal,
  ReplayLayout,
  ReplayLayouts,
  ReplayMarks,
  ReplayProgress,
} from './replay-progress';

/** Partitions read at once when a reader visits every shard of a replay. */
const SHARD_READS = 8;

/** The transaction items of ReplayMarks, and what a cancelled transaction says of them. */
export class DynamoReplayMarks {
  constructor(
    private readonly tableName: string,
    /** Markers outlive any redelivery (RETENTION_DONE_MARKERS_DAYS is at least 15 days, or forever). */
    private readonly retention: Retention,
  ) {}

  /**
   * A DONE marker per event not carried (only if absent), then `ADD processed <n>` of every counted
   * event on one count item (countItemsOf).
   */
  items(marks: ReplayMarks, now: number): TransactItem[] {
    const { replayId, eventIds, shards } = marks;
    const counted = countedOf(marks);
    if (counted.length === 0) return [];
    const shardOf = (eventId: string) => (shards === undefined ? undefined : progressShard(eventId, shards));
    const ttl = this.retention.ttl('done_markers', now);
    const markers = eventIds.map((eventId) => ({
      Put: {
        TableName: this.tableName,
        Item: {
          ...replayProgressKeys.done(replayId, eventId, shardOf(eventId)),
          replay_id: replayId,
          event_id: eventId,
          processed_at: new Date(now).toISOString(),
          ...ttl,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    }));
    if (shards === undefined)
      return [
        ...markers,
        {
          Update: {
            TableName: this.tableName,
            Key: replayProgressKeys.job(replayId),
            UpdateExpression: 'ADD #processed :n',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: { '#processed': 'processed' },
            ExpressionAttributeValues: { ':n': counted.length },
          },
        },
      ];
    const expires = ttl[TTL_ATTRIBUTE];
    const names: Record<string, string> = { '#processed': 'processed' };
    if (expires !== undefined) names['#ttl'] = TTL_ATTRIBUTE;
    // One count item per transaction (countItemsOf): the shard of its first event.
    return [
      ...markers,
      {
        Update: {
          TableName: this.tableName,
          Key: replayProgressKeys.count(replayId, shardOf(counted[0])!),
          // Kept as long as the markers, so a count never outlives the events it counted.
          UpdateExpression: expires === undefined ? 'ADD #processed :n' : 'ADD #processed :n SET #ttl = :ttl',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues:
            expires === undefined ? { ':n': counted.length } : { ':n': counted.length, ':ttl': expires },
        },
      },
    ];
  }

  /** Given the cancellation codes of the marks' own items (in `items` order); undefined when all held. */
  refusal(marks: ReplayMarks, codes: string[]): MarksRefusal | undefined {
    if (codes.length !== markItemsOf(marks)) throw new Error('cancellation codes do not match the marks');
    if (codes.every((c) => c === 'None')) return undefined;
    const failed = (j: number) => codes[j] === 'ConditionalCheckFailed';
    return {
      counted: marks.eventIds.filter((_, j) => failed(j)),
      // Only the unsharded job item is conditional: shard counts are added unconditionally.
      jobless: marks.shards === undefined && failed(marks.eventIds.length),
    };
  }
}

/** Found jobs remembered per process (their layout never changes). */
const KNOWN_JOBS = 10_000;
/** How long a replay found without a job counts nowhere before its job is read again. */
export const JOBLESS_RECHECK_MS = 5_000;

/**
 * Reads each replay's job once per process: its layout is fixed at creation. A replay found without a
 * job is read again after JOBLESS_RECHECK_MS, so a job created after its first messages is counted
 * from then on (the events processed before are counted nowhere, as for a replay without a job).
 */
export class DynamoReplayLayouts extends ReplayLayouts {
  private readonly known = new Map<string, ReplayLayout>();
  private readonly jobless = new Map<string, number>();
  private readonly reading = new Map<string, Promise<ReplayLayout | undefined>>();

  constructor(
    private readonly table: DynamoTable,
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  async of(replayId: string): Promise<ReplayLayout | undefined> {
    const known = this.known.get(replayId);
    if (known) return known;
    if ((this.jobless.get(replayId) ?? -Infinity) > this.now()) return undefined;
    const pending = this.reading.get(replayId) ?? this.read(replayId);
    this.reading.set(replayId, pending);
    return pending;
  }

  private async read(replayId: string): Promise<ReplayLayout | undefined> {
    try {
      const item = await this.table.get(replayProgressKeys.job(replayId), 'pk, progress_shards');
      if (!item) {
        this.jobless.set(replayId, this.now() + JOBLESS_RECHECK_MS);
        if (this.jobless.size > KNOWN_JOBS) this.jobless.delete(this.jobless.keys().next().value!);
        return undefined;
      }
      const layout = item.progress_shards === undefined ? {} : { shards: Number(item.progress_shards) };
      this.jobless.delete(replayId);
      this.known.set(replayId, layout);
      if (this.known.size > KNOWN_JOBS) this.known.delete(this.known.keys().next().value!);
      return layout;
    } finally {
      this.reading.delete(replayId);
    }
  }
}

/** The partitions a replay's markers may be in: the job's own and, when sharded, each shard. */
const partitionsOf = (replayId: string, shards?: number): string[] => [
  replayProgressKeys.partition(replayId),
  ...Array.from({ length: shards ?? 0 }, (_, s) => replayProgressKeys.partition(replayId, s)),
];

/** The sum of a sharded replay's `#COUNT` items (0 for an unsharded one: its count is on the job). */
export async function shardCounts(table: DynamoTable, replayId: string, shards?: number): Promise<number> {
  if (!shards) return 0;
  const items = await table.batchGet(
    Array.from({ length: shards }, (_, s) => replayProgressKeys.count(replayId, s)),
  );
  return items.reduce((sum, item) => sum + Number(item.processed ?? 0), 0);
}

export class DynamoReplayProgress extends ReplayProgress {
  constructor(private readonly table: DynamoTable) {
    super();
  }

  async processedEventIds(replayId: string, shards?: number): Promise<Set<string>> {
    // The unsharded partition too: a processor of the version before sharding, still running during
    // a deploy, writes a new job's markers there.
    const ids = new Set<string>();
    // Each partition's marker items, and the DONE records carried on contributions and pointers (gsi2).
    const reads = partitionsOf(replayId, shards).flatMap((pk) => [
      { pk, carried: false },
      { pk: replayProgressKeys.carriedPartition(pk), carried: true },
    ]);
    await mapLimit(reads, SHARD_READS, async ({ pk, carried }) => {
      const items = await this.table.queryAll(
        carried
          ? {
              IndexName: 'gsi2',
              KeyConditionExpression: 'gsi2pk = :pk',
              ExpressionAttributeValues: { ':pk': pk },
              // The event id is the index's sort key (a pointer holds it only in first_input).
              ProjectionExpression: 'gsi2sk',
            }
          : {
              KeyConditionExpression: 'pk = :pk AND begins_with(sk, :done)',
              ExpressionAttributeValues: { ':pk': pk, ':done': replayProgressKeys.donePrefix },
              ProjectionExpression: 'event_id',
            },
      );
      for (const item of items) ids.add(String(carried ? item.gsi2sk : item.event_id));
    });
    return ids;
  }
}
