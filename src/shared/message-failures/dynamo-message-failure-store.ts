// Message failures on the single DynamoDB table: one item per SQS message id (pk MSGFAIL#<id>, sk #FAIL),
// expiring after the dead-letter queue's retention.
import { DynamoTable, Item } from '../aws/dynamo-table';
import { TTL_ATTRIBUTE } from '../retention/retention';
import { keys } from '../aws/table-keys';
import {
  FailureCause,
  FailureObservation,
  MessageFailure,
  MessageFailureStore,
} from './message-failure-store';

/** The dead-letter queue keeps messages 14 days from their first send; a day more for the record. */
export const FAILURE_TTL_S = 15 * 24 * 3600;
const MESSAGE_MAX = 1000;

function toFailure(item: Item): MessageFailure {
  return {
    message_id: String(item.message_id),
    ...(typeof item.replay_id === 'string' ? { replay_id: item.replay_id } : {}),
    ...(typeof item.event_id === 'string' ? { event_id: item.event_id } : {}),
    first: item.first_failure as FailureCause,
    last: item.last_failure as FailureCause,
    failures: Number(item.failures ?? 0),
    receive_count: Number(item.receive_count ?? 0),
  };
}

export class DynamoMessageFailureStore extends MessageFailureStore {
  constructor(private readonly table: DynamoTable) {
    super();
  }

  async record(f: FailureObservation): Promise<void> {
    const cause: FailureCause = { ...f.cause, message: f.cause.message.slice(0, MESSAGE_MAX) };
    const sets = [
      'message_id = :id',
      'first_failure = if_not_exists(first_failure, :cause)',
      'last_failure = :cause',
      'receive_count = :rc',
      `${TTL_ATTRIBUTE} = :ttl`,
    ];
    const values: Item = {
      ':id': f.message_id,
      ':cause': cause,
      ':rc': f.receive_count,
      ':ttl': Math.floor(Date.parse(cause.at) / 1000) + FAILURE_TTL_S,
      ':one': 1,
    };
    if (f.replay_id) {
      sets.push('replay_id = :replay');
      values[':replay'] = f.replay_id;
    }
    if (f.event_id) {
      sets.push('event_id = :event');
      values[':event'] = f.event_id;
    }
    await this.table.update({
      Key: keys.messageFailure(f.message_id),
      UpdateExpression: `SET ${sets.join(', ')} ADD failures :one`,
      ExpressionAttributeValues: values,
    });
  }

  async get(messageIds: string[]): Promise<Map<string, MessageFailure>> {
    const unique = [...new Set(messageIds)];
    const items = await this.table.batchGet(unique.map((id) => keys.messageFailure(id)));
    return new Map(items.map((item) => [String(item.message_id), toFailure(item)]));
  }
}
