import { randomUUID } from 'node:crypto';
import { DynamoReconcileJobStore } from '../../src/reconcile/dynamo-reconcile-job-store';
import { emptyCounts, Finding, ReconcileJob } from '../../src/reconcile/reconcile-job-store';
import { reconcileKeys } from '../../src/shared/aws/table-keys';
import { Retention } from '../../src/shared/retention/retention';
import { openStores, Stores } from '../support/stores';

let n = 0;
const job = (overrides: Partial<ReconcileJob> = {}): ReconcileJob => {
  n += 1;
  return {
    reconcile_id: randomUUID(),
    status: 'pending',
    repair: false,
    from: '2026-05-01T10:00:00.000Z',
    to: '2026-05-01T11:59:59.999Z',
    requested_by: 'operator:abcd',
    created_at: `2026-05-02T10:00:${String(n).padStart(2, '0')}.000Z`,
    hours_total: 2,
    hours_done: 0,
    counts: emptyCounts(),
    ...overrides,
  };
};

const finding = (kind: Finding['kind'], subject: string): Finding => ({
  kind,
  subject,
  s3_key: `raw/source=a/date=2026-05-01/hour=10/${subject}.json`,
  event_id: subject,
  found_at: '2026-05-02T10:00:00.000Z',
});

describe('DynamoReconcileJobStore against DynamoDB Local', () => {
  let stores: Stores;
  let jobs: DynamoReconcileJobStore;
  beforeAll(async () => {
    stores = await openStores('reconcile-jobs');
    jobs = new DynamoReconcileJobStore(stores.table, new Retention({ reconcile: 10 }));
  });
  afterAll(() => stores.close());

  it('leases a job to one runner at a time, checkpoints only for the holder, and ends it', async () => {
    const j = job();
    await jobs.create(j);
    await expect(jobs.create(j)).rejects.toThrow();
    const now = Date.now();
    expect(await jobs.claim(j.reconcile_id, 'runner-a', now, now + 60_000)).toMatchObject({
      status: 'running',
      owner: 'runner-a',
    });
    expect(await jobs.claim(j.reconcile_id, 'runner-b', now, now + 60_000)).toBeUndefined();
    const progress = {
      cursor: { hour: '2026-05-01T10', phase: 'raw' as const, at: 'raw/batches/', after: 'k1' },
      hours_done: 0,
      counts: { ...emptyCounts(), objects: 3, unindexed: 1 },
    };
    expect(await jobs.checkpoint(j.reconcile_id, 'runner-a', progress, now + 60_000)).toBe(true);
    expect(await jobs.checkpoint(j.reconcile_id, 'runner-b', progress, now + 60_000)).toBe(false);
    expect(await jobs.get(j.reconcile_id)).toMatchObject({
      cursor: progress.cursor,
      counts: progress.counts,
    });
    // The lease ran out (a crash): another runner takes the job over, with its checkpoint.
    const later = now + 120_000;
    expect(await jobs.claim(j.reconcile_id, 'runner-b', later, later + 60_000)).toMatchObject({
      owner: 'runner-b',
      cursor: progress.cursor,
    });
    const end = {
      status: 'completed' as const,
      finished_at: new Date(later).toISOString(),
      counts: progress.counts,
    };
    expect(await jobs.finish(j.reconcile_id, 'runner-a', end)).toBe(false);
    expect(await jobs.finish(j.reconcile_id, 'runner-b', end)).toBe(true);
    const ended = await jobs.get(j.reconcile_id);
    expect(ended).toMatchObject({ status: 'completed', finished_at: end.finished_at });
    expect(ended).not.toHaveProperty('owner');
    expect((await jobs.active()).map((a) => a.reconcile_id)).not.toContain(j.reconcile_id);
  });

  it('gives a released job back at once, and lists jobs newest first', async () => {
    const a = job();
    const b = job();
    await jobs.create(a);
    await jobs.create(b);
    const now = Date.now();
    await jobs.claim(a.reconcile_id, 'runner-a', now, now + 60_000);
    await jobs.release(a.reconcile_id, 'runner-a');
    expect(await jobs.claim(a.reconcile_id, 'runner-b', now, now + 60_000)).toMatchObject({
      owner: 'runner-b',
    });
    const first = await jobs.list({ limit: 1 });
    expect(first.items.map((i) => i.reconcile_id)).toEqual([b.reconcile_id]);
    const second = await jobs.list({ limit: 1, cursor: first.next_cursor! });
    expect(second.items.map((i) => i.reconcile_id)).toEqual([a.reconcile_id]);
    expect((await jobs.active()).map((x) => x.reconcile_id)).toEqual(
      expect.arrayContaining([a.reconcile_id, b.reconcile_id]),
    );
  });

  it('writes a finding found twice once, pages findings by kind, and stamps the retention', async () => {
    const j = job();
    await jobs.create(j);
    await jobs.putFindings(j.reconcile_id, [finding('unindexed', 'e1'), finding('missing_raw', 'e2')]);
    await jobs.putFindings(j.reconcile_id, [finding('unindexed', 'e1'), finding('unindexed', 'e3')]);
    const all = await jobs.findings(j.reconcile_id, undefined, { limit: 10 });
    expect(all.items).toHaveLength(3);
    const unindexed = await jobs.findings(j.reconcile_id, 'unindexed', { limit: 1 });
    expect(unindexed.items.map((f) => f.subject)).toEqual(['e1']);
    const rest = await jobs.findings(j.reconcile_id, 'unindexed', {
      limit: 5,
      cursor: unindexed.next_cursor!,
    });
    expect(rest.items.map((f) => f.subject)).toEqual(['e3']);
    expect(rest.items[0]).toEqual(finding('unindexed', 'e3'));
    const stored = await stores.table.get(reconcileKeys.finding(j.reconcile_id, 'unindexed', 'e3'));
    expect(stored?.expires_at).toBe(Date.parse('2026-05-02T10:00:00.000Z') / 1000 + 10 * 86_400);
    const jobItem = await stores.table.get(reconcileKeys.job(j.reconcile_id));
    expect(jobItem?.expires_at).toBe(Math.floor(Date.parse(j.created_at) / 1000) + 10 * 86_400);
  });
});
