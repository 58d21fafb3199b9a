// Replay progress on the single DynamoDB table: one DONE marker per (replay, event) and the job item's
// `processed` count, written together in one transaction per batch of events.
import { setTimeout as sleep } from 'node:timers/promises';
import { backoffMs, DynamoTable, isTransactionCancelled } from '../shared/aws/dynamo-table';
import { replayProgressKeys } from '../shared/aws/table-keys';
import { Retention } from '../shared/retention/retention';
import { ReplayProgress } from './replay-progress';

/** TransactWriteItems takes 100 items: the markers and the job's count. */
const MARKERS_PER_TRANSACTION = 99;
const MAX_ATTEMPTS = 8;

export class DynamoReplayProgress extends ReplayProgress {
  constructor(
    private readonly table: DynamoTable,
    /** Markers outlive any redelivery (RETENTION_DONE_MARKERS_DAYS is at least 15 days, or forever). */
    private readonly retention: Retention,
  ) {
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
   * One transaction: the chunk's markers and `ADD processed <n>` on the job, written together or not
   * at all, so a crash never leaves an event marked but uncounted. A marker already there (counted
   * before) is dropped and the rest written again. Undefined when the replay has no job (a message
   * sent by hand or by a test): such events are counted nowhere.
   */
  private async markChunk(replayId: string, eventIds: string[]): Promise<number | undefined> {
    let pending = eventIds;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await sleep(backoffMs(attempt) * (0.5 + Math.random()));
      const now = Date.now();
      try {
        await this.table.transactWrite({
          TransactItems: [
            ...pending.map((eventId) => ({
              Put: {
                TableName: this.table.name,
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
                TableName: this.table.name,
                Key: replayProgressKeys.job(replayId),
                UpdateExpression: 'ADD #processed :n',
                ConditionExpression: 'attribute_exists(pk)',
                ExpressionAttributeNames: { '#processed': 'processed' },
                ExpressionAttributeValues: { ':n': pending.length },
              },
            },
          ],
        });
        return pending.length;
      } catch (err) {
        const reasons = (err as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
        if (!isTransactionCancelled(err) || !reasons) throw err;
        const failed = (j: number) => reasons[j]?.Code === 'ConditionalCheckFailed';
        if (failed(pending.length)) return undefined;
        // Markers already there were counted before; a conflict with another writer is tried again.
        pending = pending.filter((_, j) => !failed(j));
        if (attempt >= MAX_ATTEMPTS) throw err;
      }
    }
    return 0;
  }
}
