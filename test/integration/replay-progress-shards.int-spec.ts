// Sharded replay progress against DynamoDB Local: a job with `progress_shards` has its DONE markers and
// counts spread over partitions REPLAY#<id>#<shard>; the readers (job store, processedEventIds) sum
// and list over them, and a job without the field keeps the layout it had before.
import { Retention } from '../../src/shared/retention/retention';
import { DynamoAggregateStore } from '../../src/processor/dynamo-aggregate-store';
import { keys, progressShard, replayProgressKeys } from '../../src/shared/aws/table-keys';
import { openStores, Stores } from '../support/stores';
import {
  DynamoReplayLayouts,
  DynamoReplayProgress,
  JOBLESS_RECHECK_MS,
} from '../../src/replay/dynamo-replay-progress';
import { DynamoReplayJobStore } from '../../src/replay/dynamo-replay-job-store';

const SHARDS = 4;
const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('sharded replay progress', () => {
  let stores: Stores;
  let store: DynamoAggregateStore;
  let progress: DynamoReplayProgress;
  let jobs: DynamoReplayJobStore;
  const putJob = (replayId: string, shards?: number) =>
    stores.table.put({
      ...replayProgressKeys.job(replayId),
      replay_id: replayId,
      status: 'running',
      // Listed as the job store lists jobs (gsi1).
      gsi1pk: keys.replays,
      gsi1sk: keys.sortKey('2026-11-27T10:00:00.000Z', replayId),
      ...(shards === undefined ? {} : { progress_shards: shards }),
    });

  beforeAll(async () => {
    stores = await openStores('replayshards');
    store = new DynamoAggregateStore(stores.table, Retention.fromEnv(stores.env));
    progress = new DynamoReplayProgress(stores.table);
    jobs = new DynamoReplayJobStore(stores.table);
  });
  afterAll(() => stores.close());

  it('spreads markers and counts over the shards, sums them on the job, and counts a redelivery once', async () => {
    await putJob('job-s', SHARDS);
    const first = ids('s', 12);
    expect(await store.commit([], [{ replayId: 'job-s', eventIds: first, shards: SHARDS }])).toEqual({
      committed: true,
    });
    // A redelivery of two counted events with one new: the transaction names the counted ones.
    expect(
      await store.commit([], [{ replayId: 'job-s', eventIds: ['s3', 's7', 'new'], shards: SHARDS }]),
    ).toEqual({ committed: false, refusals: [], marks: [{ counted: ['s3', 's7'], jobless: false }] });
    expect(await store.commit([], [{ replayId: 'job-s', eventIds: ['new'], shards: SHARDS }])).toEqual({
      committed: true,
    });

    const all = [...first, 'new'];
    expect((await jobs.get('job-s'))?.processed).toBe(13);
    expect((await stores.table.get(replayProgressKeys.job('job-s')))?.processed).toBeUndefined();
    const counts = await stores.table.batchGet(
      Array.from({ length: SHARDS }, (_, s) => replayProgressKeys.count('job-s', s)),
    );
    // One count item per transaction, on the shard of its first event: the 12 on s0's, the one on new's.
    const expected = new Map<string, number>();
    for (const [first, n] of [
      ['s0', 12],
      ['new', 1],
    ] as const) {
      const pk = replayProgressKeys.count('job-s', progressShard(first, SHARDS)).pk;
      expected.set(pk, (expected.get(pk) ?? 0) + n);
    }
    expect(new Map(counts.map((c) => [String(c.pk), Number(c.processed)]))).toEqual(expected);
    const marker = await stores.table.get(
      replayProgressKeys.done('job-s', 's0', progressShard('s0', SHARDS)),
    );
    expect(marker?.event_id).toBe('s0');
    const count = counts.find(
      (c) => c.pk === replayProgressKeys.count('job-s', progressShard('s0', SHARDS)).pk,
    );
    expect(count?.expires_at).toBeGreaterThan(Date.now() / 1000);
    expect(await stores.table.get(replayProgressKeys.done('job-s', 's0'))).toBeUndefined();
    expect(await progress.processedEventIds('job-s', SHARDS)).toEqual(new Set(all));
    expect((await jobs.list(50)).items.find((j) => j.replay_id === 'job-s')?.processed).toBe(13);
  });

  it('keeps a job without progress_shards on its own partition and job item', async () => {
    await putJob('job-legacy');
    expect(await store.commit([], [{ replayId: 'job-legacy', eventIds: ['l1', 'l2'] }])).toEqual({
      committed: true,
    });
    expect((await stores.table.get(replayProgressKeys.job('job-legacy')))?.processed).toBe(2);
    expect(await stores.table.get(replayProgressKeys.done('job-legacy', 'l1'))).toBeDefined();
    expect((await jobs.get('job-legacy'))?.processed).toBe(2);
    expect(await progress.processedEventIds('job-legacy')).toEqual(new Set(['l1', 'l2']));
  });

  it('reads what a processor of the previous version wrote for a sharded job during a deploy', async () => {
    await putJob('job-mixed', SHARDS);
    await store.commit([], [{ replayId: 'job-mixed', eventIds: ['a', 'b'], shards: SHARDS }]);
    await store.commit([], [{ replayId: 'job-mixed', eventIds: ['old'] }]);
    expect((await jobs.get('job-mixed'))?.processed).toBe(3);
    expect(await progress.processedEventIds('job-mixed', SHARDS)).toEqual(new Set(['a', 'b', 'old']));
  });

  it('tells the processor each job layout once, and reads a missing job again after a while', async () => {
    let now = 1_000_000;
    const layouts = new DynamoReplayLayouts(stores.table, () => now);
    await putJob('layout-legacy');
    await putJob('layout-sharded', 64);
    expect(await layouts.of('layout-legacy')).toEqual({});
    expect(await layouts.of('layout-sharded')).toEqual({ shards: 64 });
    expect(await layouts.of('layout-late')).toBeUndefined();
    await putJob('layout-late', 8);
    expect(await layouts.of('layout-late')).toBeUndefined();
    now += JOBLESS_RECHECK_MS + 1;
    expect(await layouts.of('layout-late')).toEqual({ shards: 8 });
    // Cached: a changed item is not read again (a job's layout never changes after creation).
    await putJob('layout-sharded', 2);
    expect(await layouts.of('layout-sharded')).toEqual({ shards: 64 });
  });
});
