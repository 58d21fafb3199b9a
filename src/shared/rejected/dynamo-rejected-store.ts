// Rejected rows on the single DynamoDB table (pk REJ#<id>), listed per source and day through gsi2
// and across sources per day through gsi3.
import { dayPartitions } from '../aws/day-partitions';
import { DynamoTable, pick } from '../aws/dynamo-table';
import { dayOf, keys } from '../aws/table-keys';
import type { Page, PageRequest, TimeWindow } from '../paging/page';
import { Retention } from '../retention/retention';
import { RejectedRecord, RejectedStore } from './rejected-store';

const REJECTED_FIELDS = [
  'rejection_id',
  'source',
  'received_at',
  'request_id',
  'key_id',
  'reason',
  'errors',
  'errors_total',
  's3_key',
  'size_bytes',
  'raw',
  'event_id',
] as const;

export class DynamoRejectedStore extends RejectedStore {
  constructor(
    private readonly table: DynamoTable,
    private readonly retention: Retention,
  ) {
    super();
  }

  async put(rejected: RejectedRecord): Promise<void> {
    const day = dayOf(rejected.received_at);
    await this.table.put({
      ...keys.rejected(rejected.rejection_id),
      ...rejected,
      gsi2pk: keys.rejectedSourceDay(rejected.source, day),
      gsi2sk: keys.sortKey(rejected.received_at, rejected.rejection_id),
      gsi3pk: keys.rejectedDay(day),
      gsi3sk: keys.sortKey(rejected.received_at, rejected.rejection_id),
      ...this.retention.ttl('rejected', rejected.received_at),
    });
  }

  async get(rejectionId: string): Promise<RejectedRecord | undefined> {
    const item = await this.table.get(keys.rejected(rejectionId));
    return item ? pick<RejectedRecord>(item, REJECTED_FIELDS) : undefined;
  }

  async list(
    source: string | undefined,
    window: TimeWindow,
    page: PageRequest,
  ): Promise<Page<RejectedRecord>> {
    const partitions =
      source === undefined
        ? dayPartitions('gsi3', (day) => keys.rejectedDay(day), window)
        : dayPartitions('gsi2', (day) => keys.rejectedSourceDay(source, day), window);
    return this.table.pagedQuery(partitions, page, (item) => pick<RejectedRecord>(item, REJECTED_FIELDS));
  }
}
