// Replay progress on the single DynamoDB table: one DONE marker per (replay, event) and the job item's
// `processed` count, written together in one transaction. The processor writes them inside its
// aggregate commit (DynamoReplayMarks builds the items); markProcessedMany writes them alone.
import { setTimeout as sleep } from 'node:timers/promises';
import { backoffMs, cancellationCodes, DynamoTable, TransactItem } from '../shared/aws/dynamo-table';
import { replayProgressKeys } from '../shared/aws/table-keys';
import { Retention } from '../shared/retention/retention';
import { markItemsOf, MarksRefusal, ReplayMarks, ReplayProgress } from './replay-progress';

/** TransactWriteItems takes 100 items: the markers and the job's count. */
const MARKERS_PER_TRANSACTION = 99;
const MAX_ATTEMPTS = 8;

/** The transaction items of ReplayMarks, and what a cancelled transaction says of them. */
export class DynamoReplayMarks {
  constructor(
    private readonly tableName: string,
    /** Markers outlive any redelivery (RETENTION_DONE_MARKERS_DAYS is at least 15 days, or forever). */
    private readonly retention: Retention,
  ) {}

  /** A DONE marker per event (only if absent), then `ADD processed <n>` on the job (only if it exists). */
  items({ replayId, eventIds }: ReplayMarks, now: number): TransactItem[] {
    return [
      ...eventIds.map((eventId) => ({
        Put: {
          TableName: this.tableName,
          Item: {
            ...replayProgressKeys.done(replayId, eventId),
            replay_id: replayId,
            event_id: eventId,
            processed_at: new Date(now).toISOString(),
            ...this.retention.ttl('done_markers', now),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      })),
      {
        Update: {
          TableName: this.tableName,
          Key: replayProgressKeys.job(replayId),
          UpdateExpression: 'ADD #processed :n',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#processed': 'processed' },
          ExpressionAttributeValues: { ':n': eventIds.length },
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
      jobless: failed(marks.eventIds.length),
    };
  }
}

export class DynamoReplayProgress extends ReplayProgress {
  private readonly marks: DynamoReplayMarks;

  constructor(
    private readonly table: DynamoTable,
    retention: Retention,
  ) {
    super();
    this.marks = new DynamoReplayMarks(table.name, retention);
  }

  async processedEventIds(replayId: string): Promise<Set<string>> {
    const items = await this.table.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :done)',
      ExpressionAttributeValues: {
        ':pk': replayProgressKeys.job(replayId).pk,
        ':done': replayProgressKeys.donePrefix,
      },
      ProjectionExpression: 'event_id',
    });
    return new Set(items.map((item) => String(item.event_id)));
  }

  async markProcessed(replayId: string, eventId: string): Promise<boolean> {
    return (await this.markProcessedMany(replayId, [eventId])) === 1;
  }

  async markProcessedMany(replayId: string, eventIds: string[]): Promise<number> {
    const unique = [...new Set(eventIds)];
    let counted = 0;
    for (let i = 0; i < unique.length; i += MARKERS_PER_TRANSACTION) {
      const n = await this.markChunk(replayId, unique.slice(i, i + MARKERS_PER_TRANSACTION));
      if (n === undefined) return counted;
      counted += n;
    }
    return counted;
  }

  /**
   * One transaction: the chunk's markers and its count, written together or not at all, so a crash
   * never leaves an event marked but uncounted. A marker already there (counted before) is dropped and
   * the rest written again. Undefined when the replay has no job: such events are counted nowhere.
   */
  private async markChunk(replayId: string, eventIds: string[]): Promise<number | undefined> {
    let pending = eventIds;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await sleep(backoffMs(attempt) * (0.5 + Math.random()));
      const marks = { replayId, eventIds: pending };
      try {
        await this.table.transactWrite({ TransactItems: this.marks.items(marks, Date.now()) });
        return pending.length;
      } catch (err) {
        const codes = cancellationCodes(err);
        if (!codes) throw err;
        const refusal = this.marks.refusal(marks, codes);
        if (refusal?.jobless) return undefined;
        // Markers already there were counted before; a conflict with another writer is tried again.
        const counted = new Set(refusal?.counted);
        pending = pending.filter((id) => !counted.has(id));
        if (attempt >= MAX_ATTEMPTS) throw err;
      }
    }
    return 0;
  }
}
