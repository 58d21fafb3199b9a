import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { Retention } from '../../src/shared/retention/retention';
import { AggregateVersion } from '../../src/processor/aggregate-store';
import { DynamoAggregateStore } from '../../src/processor/dynamo-aggregate-store';
import { replayProgressKeys } from '../../src/shared/aws/table-keys';
import { openStores, Stores } from '../support/stores';
import { DynamoReplayProgress } from '../../src/replay/dynamo-replay-progress';

const version = (key: string, n: number, overrides: Partial<AggregateVersion> = {}): AggregateVersion => {
  const [entity_id, hour] = [key.slice(0, key.lastIndexOf('@')), key.slice(key.lastIndexOf('@') + 1)];
  return {
    key,
    entity_id,
    hour,
    version: n,
    value: { count: n, by_type: { t: n }, first_occurred_at: null, last_occurred_at: null },
    input_hash: String(n).repeat(64).slice(0, 64),
    input_count: n,
    sample_event_ids: [],
    processor_version: 'test',
    computed_at: new Date().toISOString(),
    replay_ids: ['r'],
    lineage_key: `lineage/${encodeURIComponent(key)}/v${n}.json`,
    input_event_ids: [],
    ...overrides,
  };
};

describe('DynamoAggregateStore and DynamoReplayProgress', () => {
  let stores: Stores;
  let store: DynamoAggregateStore;
  let progress: DynamoReplayProgress;

  beforeAll(async () => {
    stores = await openStores('aggstore');
    store = new DynamoAggregateStore(stores.table);
    progress = new DynamoReplayProgress(stores.table, Retention.fromEnv(stores.env));
  });
  afterAll(() => stores.close());

  it('lets exactly one of many concurrent writers create version n', async () => {
    const key = 'race-1@2026-11-25T10';
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => store.putVersion(version(key, 1, { computed_at: `writer-${i}` }))),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await store.latestVersion(key))?.version).toBe(1);
  });

  it('moves the latest pointer forward only, and lists latest versions of an entity by hour', async () => {
    const key = 'ptr-1@2026-11-25T11';
    for (const n of [1, 2, 3]) expect(await store.putVersion(version(key, n))).toBe(true);
    await store.advanceLatest(version(key, 3));
    await store.advanceLatest(version(key, 2));
    expect(await store.pointerVersion(key)).toBe(3);
    await store.putVersion(version('ptr-1@2026-11-25T09', 1));
    await store.advanceLatest(version('ptr-1@2026-11-25T09', 1));
    const listed = await store.latestOfEntity('ptr-1', '2026-11-25T00', '2026-11-25T23');
    expect(listed.map((v) => [v.hour, v.version])).toEqual([
      ['2026-11-25T09', 1],
      ['2026-11-25T11', 3],
    ]);
    expect(listed[0].input_event_ids).toBeUndefined();
    expect((await store.versions(key)).map((v) => v.version)).toEqual([1, 2, 3]);
    expect((await store.getVersion(key, 2))?.input_hash).toBe('2'.repeat(64));
  });

  it('counts a processed event once per replay, and only when the replay job exists', async () => {
    const table = stores.env.PIPESCOPE_TABLE;
    await stores.clients.dynamo.send(
      new PutCommand({ TableName: table, Item: replayProgressKeys.job('job-1') }),
    );
    const marks = await Promise.all([
      progress.markProcessed('job-1', 'e1'),
      progress.markProcessed('job-1', 'e1'),
      progress.markProcessed('job-1', 'e2'),
    ]);
    expect(marks.filter(Boolean)).toHaveLength(2);
    const job = await stores.clients.dynamo.send(
      new GetCommand({ TableName: table, Key: replayProgressKeys.job('job-1') }),
    );
    expect(job.Item?.processed).toBe(2);
    expect(await progress.markProcessed('no-such-job', 'e1')).toBe(false);
  });
});
