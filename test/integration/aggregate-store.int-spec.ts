import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { Retention } from '../../src/shared/retention/retention';
import { AggregateVersion, Contribution, VersionWrite } from '../../src/processor/aggregate-store';
import { DynamoAggregateStore } from '../../src/processor/dynamo-aggregate-store';
import { aggregateKeys, progressShard, replayProgressKeys } from '../../src/shared/aws/table-keys';
import { openStores, Stores } from '../support/stores';
import { DynamoReplayProgress } from '../../src/replay/dynamo-replay-progress';

const AGG = 'entity_hour';

const version = (key: string, n: number, overrides: Partial<AggregateVersion> = {}): AggregateVersion => {
  const [entity_id, period] = [key.slice(0, key.lastIndexOf('@')), key.slice(key.lastIndexOf('@') + 1)];
  return {
    aggregator: AGG,
    aggregator_version: '1',
    key,
    entity_id,
    period,
    version: n,
    value: { count: n },
    input_hash: String(n).repeat(64).slice(0, 64),
    input_count: n,
    sample_event_ids: [],
    sample_order: [],
    processor_version: 'test',
    computed_at: new Date().toISOString(),
    replay_ids: ['r'],
    lineage_key: `lineage/${AGG}/${encodeURIComponent(key)}/v${n}.json`,
    added_event_ids: [],
    ...overrides,
  };
};

const input = (id: string, n: number): Contribution => ({
  event_id: id,
  payload_sha256: id.padEnd(64, '0'),
  source: 's',
  type: 't',
  occurred_at: '2026-11-25T10:00:00.000Z',
  s3_key: `raw/${id}.json`,
  version: n,
});

describe('DynamoAggregateStore and DynamoReplayProgress', () => {
  let stores: Stores;
  let store: DynamoAggregateStore;
  let progress: DynamoReplayProgress;
  /** A write of `v` over version `previous`, carrying that version as stored (when it is). */
  const over = async (
    v: AggregateVersion,
    added: Contribution[],
    previous: number,
  ): Promise<VersionWrite> => {
    if (previous === 0) return { version: v, added, previous };
    const stored = await store.latest(AGG, v.key);
    return {
      version: v,
      added,
      previous,
      superseded: stored?.version === previous ? stored : version(v.key, previous),
    };
  };
  /** One write's commit, its refusal flattened. */
  const commit1 = async (v: AggregateVersion, added: Contribution[], previous: number) => {
    const r = await store.commit([await over(v, added, previous)]);
    return r.committed ? r : { committed: false, ...r.refusals[0] };
  };

  beforeAll(async () => {
    stores = await openStores('aggstore');
    store = new DynamoAggregateStore(stores.table, Retention.fromEnv(stores.env));
    progress = new DynamoReplayProgress(stores.table);
  });
  afterAll(() => stores.close());

  it('lets exactly one of many concurrent writers commit version n', async () => {
    const key = 'race-1@2026-11-25T10';
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => commit1(version(key, 1), [input(`w${i}`, 1)], 0)),
    );
    expect(results.filter((r) => r.committed)).toHaveLength(1);
    expect((await store.latest(AGG, key))?.version).toBe(1);
    expect(await store.contributions(AGG, key)).toHaveLength(1);
  });

  it('refuses a version over a moved pointer, and names the inputs another commit already counted', async () => {
    const key = 'ptr-1@2026-11-25T11';
    expect(await commit1(version(key, 1), [input('a', 1), input('b', 1)], 0)).toEqual({
      committed: true,
    });
    // Stale: the pointer is at 1, not 0.
    expect(await commit1(version(key, 1), [input('c', 1)], 0)).toEqual({
      committed: false,
      counted: [],
      carried: [],
      stale: true,
    });
    // `b` counted before: nothing is written, and the answer says which input to drop.
    expect(await commit1(version(key, 2), [input('b', 2), input('c', 2)], 1)).toEqual({
      committed: false,
      counted: ['b'],
      carried: [],
      stale: false,
    });
    expect(await commit1(version(key, 2), [input('c', 2)], 1)).toEqual({ committed: true });
    expect((await store.contributions(AGG, key, 1)).map((c) => c.event_id).sort()).toEqual(['a', 'b']);
    expect((await store.contributions(AGG, key)).map((c) => c.event_id).sort()).toEqual(['a', 'b', 'c']);
    expect(await store.contribution(AGG, key, 'c')).toMatchObject({ version: 2, s3_key: 'raw/c.json' });
    expect(await store.contribution(AGG, key, 'zz')).toBeUndefined();
    expect((await store.versions(AGG, key)).map((v) => v.version)).toEqual([1, 2]);
    expect((await store.getVersion(AGG, key, 2))?.input_hash).toBe('2'.repeat(64));
  });

  it('keeps the latest version on the pointer alone, and each earlier one on its own item', async () => {
    const key = 'layout-1@2026-11-25T12';
    const own = (n: number) => stores.table.get(aggregateKeys.version(AGG, key, n));
    await commit1(version(key, 1), [input('l1', 1)], 0);
    expect(await own(1)).toBeUndefined();
    expect((await store.versions(AGG, key)).map((v) => v.version)).toEqual([1]);
    expect((await store.getVersion(AGG, key, 1))?.input_hash).toBe('1'.repeat(64));
    const first = await store.latest(AGG, key);
    await commit1(version(key, 2), [input('l2', 2)], 1);
    await commit1(version(key, 3), [input('l3', 3)], 2);
    // Moving on wrote each superseded version whole, as the pointer held it.
    expect(await store.getVersion(AGG, key, 1)).toEqual(first);
    expect(await own(2)).toBeDefined();
    expect(await own(3)).toBeUndefined();
    expect((await store.versions(AGG, key)).map((v) => [v.version, v.input_hash[0]])).toEqual([
      [1, '1'],
      [2, '2'],
      [3, '3'],
    ]);
    expect(await store.getVersion(AGG, key, 4)).toBeUndefined();
    expect(await store.getVersion(AGG, key, 0)).toBeUndefined();

    // A bucket written before this layout also has an item for its latest version: listed once, and
    // moving on rewrites it unchanged.
    const old = 'layout-old@2026-11-25T12';
    await commit1(version(old, 1), [input('o1', 1)], 0);
    const latest = (await store.latest(AGG, old))!;
    await stores.table.put({ ...aggregateKeys.version(AGG, old, 1), ...latest });
    expect((await store.versions(AGG, old)).map((v) => v.version)).toEqual([1]);
    expect(await commit1(version(old, 2), [input('o2', 2)], 1)).toEqual({ committed: true });
    expect(await store.getVersion(AGG, old, 1)).toEqual(latest);
    expect((await store.versions(AGG, old)).map((v) => v.version)).toEqual([1, 2]);
  });

  it('keeps a lone first input on the pointer, with the DONE record it carries, and lists it as an input', async () => {
    const key = 'lone-1@2026-11-25T13';
    const shards = 8;
    const marks = [{ replayId: 'job-lone', eventIds: [], carried: ['f1'], shards }];
    const first = { ...input('f1', 1), counted_for: 'job-lone', counted_shard: progressShard('f1', shards) };
    const lone: VersionWrite = {
      version: { ...version(key, 1), first_input: first },
      added: [input('f1', 1)],
      previous: 0,
    };
    expect(await store.commit([lone], marks)).toEqual({ committed: true });
    // One item: no contribution, the pointer holds the input and its DONE record.
    expect(await stores.table.get(aggregateKeys.contribution(AGG, key, 'f1'))).toBeUndefined();
    expect(await store.contributions(AGG, key)).toEqual([{ ...input('f1', 1), counted_for: 'job-lone' }]);
    expect(await store.contribution(AGG, key, 'f1')).toEqual({ ...input('f1', 1), counted_for: 'job-lone' });
    expect(await store.contribution(AGG, key, 'f2')).toBeUndefined();
    expect(await progress.processedEventIds('job-lone', shards)).toEqual(new Set(['f1']));
    expect((await store.latest(AGG, key))?.first_input).toEqual(first);
    // The same write again (a redelivery that assumed a new bucket): refused, the pointer is there.
    expect(await store.commit([lone], marks)).toEqual({
      committed: false,
      refusals: [{ counted: [], carried: [], stale: true }],
      marks: [undefined],
    });
    // Later versions keep the input and its DONE record.
    await commit1({ ...version(key, 2), first_input: first }, [input('f2', 2)], 1);
    expect(await progress.processedEventIds('job-lone', shards)).toEqual(new Set(['f1']));
    expect((await store.contributions(AGG, key)).map((c) => c.event_id).sort()).toEqual(['f1', 'f2']);
    expect((await store.contributions(AGG, key, 1)).map((c) => c.event_id)).toEqual(['f1']);
    // A lone input whose DONE record its marks do not carry is a programming error, caught before writing.
    await expect(
      store.commit([{ ...lone, version: { ...lone.version, key: 'lone-2@2026-11-25T13' } }], []),
    ).rejects.toThrow(/DONE record/);
  });

  it('commits the versions of several buckets together, or none of them', async () => {
    const [a, b] = ['multi-a@2026-11-25T10', 'multi-b@2026-11-25T10'];
    await commit1(version(b, 1), [input('mb1', 1)], 0);
    const refused = await store.commit([
      { version: version(a, 1), added: [input('ma1', 1)], previous: 0 },
      { version: version(b, 1), added: [input('mb2', 1)], previous: 0 },
    ]);
    expect(refused).toEqual({
      committed: false,
      refusals: [undefined, { counted: [], carried: [], stale: true }],
      marks: [],
    });
    expect(await store.latest(AGG, a)).toBeUndefined();
    expect(
      await store.commit([
        { version: version(a, 1), added: [input('ma1', 1)], previous: 0 },
        await over(version(b, 2), [input('mb2', 2)], 1),
      ]),
    ).toEqual({ committed: true });
    expect((await store.latest(AGG, a))?.version).toBe(1);
    expect((await store.latest(AGG, b))?.version).toBe(2);
  });

  it('lists the latest version of each bucket of an entity, by period start, filtered by aggregator', async () => {
    await commit1(version('ent-1@2026-11-25T09', 1), [], 0);
    await commit1(version('ent-1@2026-11-25T11', 1), [], 0);
    await commit1(version('ent-1@2026-11-25T11', 2), [], 1);
    await commit1(version('ent-1@2026-11-25', 1, { aggregator: 'daily', period: '2026-11-25' }), [], 0);
    const all = await store.latestOfEntity('ent-1', '2026-11-25T00', '2026-11-25T23');
    expect(all.map((v) => [v.aggregator, v.period, v.version])).toEqual([
      ['daily', '2026-11-25', 1],
      [AGG, '2026-11-25T09', 1],
      [AGG, '2026-11-25T11', 2],
    ]);
    const hourly = await store.latestOfEntity('ent-1', '2026-11-25T00', '2026-11-25T23', AGG);
    expect(hourly.map((v) => v.period)).toEqual(['2026-11-25T09', '2026-11-25T11']);
    expect(await store.latestOfEntity('ent-1', '2026-11-25T10', '2026-11-25T23', 'daily')).toEqual([]);
  });

  it('counts replay marks in the commit of the versions: together or not at all, once per event', async () => {
    const table = stores.env.PIPESCOPE_TABLE;
    const processedOf = async (replayId: string) =>
      (
        await stores.clients.dynamo.send(
          new GetCommand({ TableName: table, Key: replayProgressKeys.job(replayId) }),
        )
      ).Item?.processed as number | undefined;
    await stores.clients.dynamo.send(
      new PutCommand({ TableName: table, Item: replayProgressKeys.job('job-m') }),
    );
    const key = 'marks-1@2026-11-25T10';
    await commit1(version(key, 1), [input('m1', 1)], 0);
    // A stale write refuses the marks with it; the marks themselves held.
    expect(
      await store.commit(
        [{ version: version(key, 1), added: [input('m2', 1)], previous: 0 }],
        [{ replayId: 'job-m', eventIds: ['m2', 'm9'] }],
      ),
    ).toEqual({
      committed: false,
      refusals: [{ counted: [], carried: [], stale: true }],
      marks: [undefined],
    });
    expect(await processedOf('job-m')).toBeUndefined();
    expect(await progress.processedEventIds('job-m')).toEqual(new Set());
    // m9 is in no bucket: it is counted all the same, with a marker; m2's DONE record rides on its
    // contribution.
    expect(
      await store.commit(
        [await over(version(key, 2), [input('m2', 2)], 1)],
        [{ replayId: 'job-m', eventIds: ['m9'], carried: ['m2'] }],
      ),
    ).toEqual({ committed: true });
    expect(await processedOf('job-m')).toBe(2);
    expect(await stores.table.get(replayProgressKeys.done('job-m', 'm2'))).toBeUndefined();
    expect(await stores.table.get(aggregateKeys.contribution(AGG, key, 'm2'))).toMatchObject({
      counted_for: 'job-m',
      ...replayProgressKeys.carried('job-m', 'm2'),
    });
    expect(await progress.processedEventIds('job-m')).toEqual(new Set(['m2', 'm9']));
    // m2 again: its contribution answers that job-m counted it; m1's carries nothing.
    expect(
      await store.commit(
        [await over(version(key, 3), [input('m1', 3), input('m2', 3)], 2)],
        [{ replayId: 'job-m', eventIds: [], carried: ['m2'] }],
      ),
    ).toEqual({
      committed: false,
      refusals: [{ counted: ['m1', 'm2'], carried: [['m2', 'job-m']], stale: false }],
      marks: [undefined],
    });
    expect(await processedOf('job-m')).toBe(2);
    // Redelivered: the marks name what was counted before, and a replay with no job says so.
    expect(
      await store.commit(
        [],
        [
          { replayId: 'job-m', eventIds: ['m9', 'm3'] },
          { replayId: 'no-job-m', eventIds: ['m3'] },
        ],
      ),
    ).toEqual({
      committed: false,
      refusals: [],
      marks: [
        { counted: ['m9'], jobless: false },
        { counted: [], jobless: true },
      ],
    });
    expect(await store.commit([], [{ replayId: 'job-m', eventIds: ['m3'] }])).toEqual({ committed: true });
    expect(await processedOf('job-m')).toBe(3);
    expect(await progress.processedEventIds('job-m')).toEqual(new Set(['m2', 'm9', 'm3']));
    expect(await progress.processedEventIds('no-job-m')).toEqual(new Set());
  });
});
