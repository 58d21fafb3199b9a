// Named leases on the single DynamoDB table: one item per name (pk LEASE#<name>, sk #LEASE).
import { DynamoTable } from '../aws/dynamo-table';
import { keys } from '../aws/table-keys';
import { releaseUpdate, takeLease } from './lease';
import { LeaseStore } from './lease-store';

export class DynamoLeaseStore extends LeaseStore {
  constructor(private readonly table: DynamoTable) {
    super();
  }

  async acquire(name: string, owner: string, now: number, leaseUntil: number): Promise<boolean> {
    const lease = takeLease(owner, now, leaseUntil);
    const item = await this.table.updateIf({
      ReturnValues: 'NONE',
      Key: keys.lease(name),
      UpdateExpression: `SET ${lease.set}, lease_name = :name`,
      ConditionExpression: lease.condition,
      ExpressionAttributeNames: lease.names,
      ExpressionAttributeValues: { ...lease.values, ':name': name },
    });
    return item !== undefined;
  }

  async release(name: string, owner: string): Promise<void> {
    await this.table.updateIf(releaseUpdate(keys.lease(name), owner));
  }
}
