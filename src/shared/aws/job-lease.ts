// The conditional writes of a job item that one runner at a time holds under a lease (replays,
// reconcile jobs): anything that must happen once across instances claims it this way. A runner that
// dies stops extending `lease_until`; once that passes, the next runner that looks takes the job over.
import type { Item, TableUpdate } from './dynamo-table';

const NAMES = { '#status': 'status', '#owner': 'owner' };

/** Takes a pending or running job for `owner` (it becomes running) unless another live lease holds it. */
export function claimUpdate(key: Item, owner: string, now: number, leaseUntil: number): TableUpdate {
  return {
    Key: key,
    UpdateExpression:
      'SET #status = :running, started_at = if_not_exists(started_at, :started), #owner = :owner, lease_until = :lease',
    ConditionExpression:
      '#status IN (:pending, :running) AND (attribute_not_exists(lease_until) OR lease_until < :now OR #owner = :owner)',
    ExpressionAttributeNames: NAMES,
    ExpressionAttributeValues: {
      ':running': 'running',
      ':pending': 'pending',
      ':started': new Date(now).toISOString(),
      ':owner': owner,
      ':lease': leaseUntil,
      ':now': now,
    },
  };
}

/** Gives a job back (clean shutdown): the next runner may resume it without waiting for the lease. */
export function releaseUpdate(key: Item, owner: string): TableUpdate {
  return {
    Key: key,
    UpdateExpression: 'REMOVE #owner, lease_until',
    ConditionExpression: '#owner = :owner',
    ExpressionAttributeNames: { '#owner': 'owner' },
    ExpressionAttributeValues: { ':owner': owner },
  };
}
