// Leases on DynamoDB items: whatever must happen once across instances (a replay runner, the alert
// evaluator) is done by the instance whose conditional write took the item's lease. A lease is two
// attributes, `owner` and `lease_until` (epoch ms); it is free when absent or expired. The terms here
// are shared by every store that holds a lease, so the rule is written once.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Item, TableUpdate } from '../aws/dynamo-table';

/** This process as a lease owner: host, pid and a random suffix (pids repeat across containers). */
export function instanceOwner(): string {
  return `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
}

export interface LeaseTerms {
  /** SET clause fragment taking or renewing the lease. */
  set: string;
  /** Condition under which `owner` may take or renew it. */
  condition: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
}

/** Take or renew: allowed when the lease is free, expired (before `now`) or already `owner`'s. */
export function takeLease(owner: string, now: number, leaseUntil: number): LeaseTerms {
  return {
    set: '#owner = :owner, lease_until = :lease',
    condition: '(attribute_not_exists(lease_until) OR lease_until < :now OR #owner = :owner)',
    names: { '#owner': 'owner' },
    values: { ':owner': owner, ':lease': leaseUntil, ':now': now },
  };
}

/** Give back: removes the lease attributes, only when `owner` still holds them. */
export function releaseLease(owner: string): { remove: string } & Omit<LeaseTerms, 'set'> {
  return {
    remove: '#owner, lease_until',
    condition: '#owner = :owner',
    names: { '#owner': 'owner' },
    values: { ':owner': owner },
  };
}

/** The UpdateItem that gives back `owner`'s lease on the item at `key` (a no-op when not held). */
export function releaseUpdate(key: Item, owner: string): TableUpdate {
  const lease = releaseLease(owner);
  return {
    ReturnValues: 'NONE',
    Key: key,
    UpdateExpression: `REMOVE ${lease.remove}`,
    ConditionExpression: lease.condition,
    ExpressionAttributeNames: lease.names,
    ExpressionAttributeValues: lease.values,
  };
}

/**
 * The UpdateItem that takes a pending or running job item (replays, reconcile jobs) for `owner`: it
 * becomes running, keeps its first `started_at`, and is `owner`'s unless another live lease holds it.
 */
export function claimJobUpdate(key: Item, owner: string, now: number, leaseUntil: number): TableUpdate {
  const lease = takeLease(owner, now, leaseUntil);
  return {
    Key: key,
    UpdateExpression: `SET #status = :running, started_at = if_not_exists(started_at, :started), ${lease.set}`,
    ConditionExpression: `#status IN (:pending, :running) AND ${lease.condition}`,
    ExpressionAttributeNames: { '#status': 'status', ...lease.names },
    ExpressionAttributeValues: {
      ':running': 'running',
      ':pending': 'pending',
      ':started': new Date(now).toISOString(),
      ...lease.values,
    },
  };
}
