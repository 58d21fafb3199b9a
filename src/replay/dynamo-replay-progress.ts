// Replay progress on the single DynamoDB table: one DONE marker per (replay, event) and the job item's
// `processed` count, written together in one transaction.
import { DynamoTable, isTransactionCancelled } from '../shared/aws/dynamo-table';
import { replayProgressKeys } from '../shared/aws/table-keys';
import { Retention } from '../shared/retention/retention';
import { ReplayProgress } from './replay-progress';

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
    // One transaction: the marker and the count are written together or not at all, so a crash
    // can never leave an event marked but uncounted.
    try {
      await this.table.transactWrite({
        TransactItems: [
          {
            Put: {
              TableName: this.table.name,
              Item: {
                ...replayProgressKeys.done(replayId, eventId),
                replay_id: replayId,
                event_id: eventId,
                processed_at: new Date().toISOString(),
                ...this.retention.ttl('done_markers', Date.now()),
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Update: {
              TableName: this.table.name,
              Key: replayProgressKeys.job(replayId),
              UpdateExpression: 'ADD #processed :n',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeNames: { '#processed': 'processed' },
              ExpressionAttributeValues: { ':n': 1 },
            },
          },
        ],
      });
      return true;
    } catch (err) {
      const reasons = (err as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
      if (isTransactionCancelled(err) && reasons) {
        // Marker already there: counted before. Job missing: not sent by a replay job (tests, manual).
        if (reasons.some((r) => r.Code === 'ConditionalCheckFailed')) return false;
      }
      throw err;
    }
  }
}
