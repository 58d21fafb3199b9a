// Reconcile jobs and findings on the single DynamoDB table: the job item (pk RECON#<id>, sk #JOB),
// listed through gsi1 (RECONCILES) and, while pending or running, the sparse gsi2 (RECONCILE_ACTIVE);
// findings beside it (sk F#<kind>#<subject>). Both carry the reconcile retention's TTL.
import { mapLimit } from '../shared/async/map-limit';
import { DynamoTable, Item, pick } from '../shared/aws/dynamo-table';
import { keys, reconcileKeys } from '../shared/aws/table-keys';
import { claimJobUpdate, releaseUpdate } from '../shared/lease/lease';
import type { Page, PageRequest } from '../shared/paging/page';
import { Retention } from '../shared/retention/retention';
import {
  emptyCounts,
  Finding,
  FindingKind,
  Progress,
  ReconcileCounts,
  ReconcileJob,
  ReconcileJobStore,
} from './reconcile-job-store';

const JOB_FIELDS = [
  'reconcile_id',
  'status',
  'repair',
  'from',
  'to',
  'prefix',
  'reason',
  'requested_by',
  'created_at',
  'started_at',
  'finished_at',
  'hours_total',
  'hours_done',
  'cursor',
  'counts',
  'error',
  'owner',
  'lease_until',
] as const;

const FINDING_FIELDS = [
  'kind',
  'subject',
  's3_key',
  's3_range',
  'event_id',
  'source',
  'type',
  'occurred_at',
  'received_at',
  'detail',
  'indexed_s3_key',
  'recovered_at',
  'found_at',
] as const;

const WRITE_CONCURRENCY = 16;

function toJob(item: Item): ReconcileJob {
  const job = pick<ReconcileJob>(item, JOB_FIELDS);
  job.counts = { ...emptyCounts(), ...(item.counts as Partial<ReconcileCounts>) };
  return job;
}

export class DynamoReconcileJobStore extends ReconcileJobStore {
  constructor(
    private readonly table: DynamoTable,
    private readonly retention: Retention,
  ) {
    super();
  }

  async create(job: ReconcileJob): Promise<void> {
    const sortKey = keys.sortKey(job.created_at, job.reconcile_id);
    const created = await this.table.putIf(
      {
        ...reconcileKeys.job(job.reconcile_id),
        ...job,
        gsi1pk: reconcileKeys.jobs,
        gsi1sk: sortKey,
        gsi2pk: reconcileKeys.active,
        gsi2sk: sortKey,
        ...this.retention.ttl('reconcile', job.created_at),
      },
      'attribute_not_exists(pk)',
    );
    if (!created) throw new Error(`reconcile ${job.reconcile_id} already exists`);
  }

  async get(reconcileId: string): Promise<ReconcileJob | undefined> {
    const item = await this.table.get(reconcileKeys.job(reconcileId));
    return item ? toJob(item) : undefined;
  }

  async list(page: PageRequest): Promise<Page<ReconcileJob>> {
    return this.table.queryPage(
      {
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': reconcileKeys.jobs },
        ScanIndexForward: false,
      },
      page,
      toJob,
    );
  }

  async active(): Promise<ReconcileJob[]> {
    const items = await this.table.queryAll({
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk',
      ExpressionAttributeValues: { ':pk': reconcileKeys.active },
    });
    return items.map(toJob);
  }

  async claim(
    reconcileId: string,
    owner: string,
    now: number,
    leaseUntil: number,
  ): Promise<ReconcileJob | undefined> {
    const item = await this.table.updateIf(
      claimJobUpdate(reconcileKeys.job(reconcileId), owner, now, leaseUntil),
    );
    return item ? toJob(item) : undefined;
  }

  async checkpoint(
    reconcileId: string,
    owner: string,
    progress: Progress,
    leaseUntil: number,
  ): Promise<boolean> {
    const written = await this.table.updateIf({
      ReturnValues: 'NONE',
      Key: reconcileKeys.job(reconcileId),
      UpdateExpression: 'SET #cursor = :cursor, hours_done = :hours, #counts = :counts, lease_until = :lease',
      ConditionExpression: '#owner = :owner AND #status = :running',
      ExpressionAttributeNames: {
        '#cursor': 'cursor',
        '#counts': 'counts',
        '#owner': 'owner',
        '#status': 'status',
      },
      ExpressionAttributeValues: {
        ':cursor': progress.cursor,
        ':hours': progress.hours_done,
        ':counts': progress.counts,
        ':lease': leaseUntil,
        ':owner': owner,
        ':running': 'running',
      },
    });
    return written !== undefined;
  }

  async finish(
    reconcileId: string,
    owner: string,
    end: { status: 'completed' | 'failed'; finished_at: string; counts: ReconcileCounts; error?: string },
  ): Promise<boolean> {
    const item = await this.table.updateIf({
      Key: reconcileKeys.job(reconcileId),
      UpdateExpression:
        `SET #status = :status, finished_at = :at, #counts = :counts${end.error ? ', #error = :error' : ''} ` +
        'REMOVE gsi2pk, gsi2sk, #owner, lease_until',
      ConditionExpression: '#owner = :owner AND #status = :running',
      ExpressionAttributeNames: {
        '#status': 'status',
        '#owner': 'owner',
        '#counts': 'counts',
        ...(end.error ? { '#error': 'error' } : {}),
      },
      ExpressionAttributeValues: {
        ':status': end.status,
        ':at': end.finished_at,
        ':counts': end.counts,
        ':owner': owner,
        ':running': 'running',
        ...(end.error ? { ':error': end.error } : {}),
      },
    });
    return item !== undefined;
  }

  async release(reconcileId: string, owner: string): Promise<void> {
    await this.table.updateIf(releaseUpdate(reconcileKeys.job(reconcileId), owner));
  }

  async putFindings(reconcileId: string, findings: Finding[]): Promise<void> {
    await mapLimit(findings, WRITE_CONCURRENCY, (f) =>
      this.table.put({
        ...reconcileKeys.finding(reconcileId, f.kind, f.subject),
        reconcile_id: reconcileId,
        ...f,
        ...this.retention.ttl('reconcile', f.found_at),
      }),
    );
  }

  async findings(
    reconcileId: string,
    kind: FindingKind | undefined,
    page: PageRequest,
  ): Promise<Page<Finding>> {
    return this.table.queryPage(
      {
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: {
          ':pk': reconcileKeys.job(reconcileId).pk,
          ':prefix': reconcileKeys.findingPrefix(kind),
        },
      },
      page,
      (item) => pick<Finding>(item, FINDING_FIELDS),
    );
  }
}
