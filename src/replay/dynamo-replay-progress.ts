// Replay progress on the single DynamoDB table: one DONE marker per (replay, event) and the job item's
// `processed` count, written together in one transaction: the processor's aggregate commit, whose
// items DynamoReplayMarks builds. DynamoReplayProgress reads the markers back.
import { DynamoTable, TransactItem } from '../shared/aws/dynamo-table';
import { replayProgressKeys } from '../shared/aws/table-keys';
import { Retention } from '../shared/retention/retention';
import { markItemsOf, MarksRefusal, ReplayMarks, ReplayProgress } from './replay-progress';

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
  constructor(private readonly table: DynamoTable) {
    super();
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
}
