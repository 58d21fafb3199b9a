import { counterShard, keys, sourceShard } from '../src/shared/aws/table-keys';
import { COUNTER_WRITES_PER_FLUSH } from '../src/shared/ingest-stats/dynamo-ingest-stats-store';
import { itemBytes, sampleEventId } from './scale-items';
import {
  activityWritesPerSecond,
  EVENT_ID_SAMPLE,
  rowWritesPerSecond,
  ScaleScenario,
  simulate,
} from './scale-model';

const scenario = (over: Partial<ScaleScenario> = {}): ScaleScenario => ({
  eventsPerSecond: 10_000,
  sources: 20,
  types: 5,
  instances: 50,
  entities: 100_000,
  eventsPerRequest: 1,
  lateShare: 0.03,
  counterShards: 1,
  sourceIndexShards: 1,
  counterFlushMs: 1000,
  schemaCacheMs: 30_000,
  replayPerSecond: 0,
  checkpointBatches: 1000,
  sqsBatchSize: 10,
  progressShards: 64,
  batchMs: 500,
  ...over,
});

const load = (r: ReturnType<typeof simulate>, what: string, scope: string) => {
  const found = r.loads.find((l) => l.what === what && l.scope === scope);
  if (!found) throw new Error(`no ${what} ${scope}`);
  return found;
};

describe('scale model', () => {
  it('caps a row at one flush per interval per instance, however busy', () => {
    expect(rowWritesPerSecond(1_000_000, 1000, 1)).toBeCloseTo(1, 6);
    expect(rowWritesPerSecond(1_000_000, 5000, 1)).toBeCloseTo(0.2, 6);
    // A quiet row writes only in the intervals that saw an event.
    expect(rowWritesPerSecond(0.1, 1000, 1)).toBeCloseTo(1 - Math.exp(-0.1), 6);
    // Without an interval, one write per request.
    expect(rowWritesPerSecond(50, 0, 1)).toBe(50);
    expect(activityWritesPerSecond(1000)).toBeCloseTo(1 / 60, 6);
  });

  it('puts every counter row of an hour in one partition with one shard, and flags it at 10k events/s', () => {
    const r = simulate(scenario());
    const partition = load(r, 'counter rows', 'partition');
    expect(partition.key).toBe(keys.counterPartition('2026-11-27T12', 0));
    // 100 rows x 50 instances, each flushing (1 - e^-2) of the seconds, up to two writes a flush.
    const expected = 100 * 50 * (1 - Math.exp(-2)) * COUNTER_WRITES_PER_FLUSH;
    expect(partition.writeUnits).toBeCloseTo(expected, 6);
    expect(partition.over).toBe(true);
    expect(load(r, 'counter rows', 'item').over).toBe(false);
  });

  it('spreads the rows over the shards the writers pick, and stays within limits with 16', () => {
    const r = simulate(scenario({ counterShards: 16 }));
    const partition = load(r, 'counter rows', 'partition');
    expect(partition.over).toBe(false);
    expect(partition.writeUnits).toBeLessThan(1000);
    // The hottest shard holds what the real shard function sent there, no more.
    const shard = Number(partition.key.split('#')[2] ?? 0);
    let rows = 0;
    for (let s = 0; s < 20; s++)
      for (let t = 0; t < 5; t++)
        for (let i = 0; i < 50; i++) {
          const name = [
            `source-${String(s).padStart(3, '0')}`,
            `type.${String(t).padStart(2, '0')}`,
          ] as const;
          if (counterShard(`instance-${i}`, name[0], name[1], 16) === shard) rows += 1;
        }
    expect(partition.writeUnits).toBeCloseTo(rows * (1 - Math.exp(-2)) * COUNTER_WRITES_PER_FLUSH, 6);
  });

  it('flags a source too busy for its day partition of the source index', () => {
    const r = simulate(scenario({ eventsPerSecond: 100_000, instances: 500, counterShards: 32 }));
    const gsi2 = load(r, 'gsi2 source-day', 'partition');
    expect(gsi2.key).toBe(keys.sourceDay('source-000', '2026-11-27'));
    expect(gsi2.writesPerSecond).toBeCloseTo(5000, 6);
    expect(gsi2.over).toBe(true);
  });

  it('spreads one busy source over the source index shards its event ids hash to', () => {
    const busy = { eventsPerSecond: 10_000, sources: 1, types: 1, instances: 50 };
    expect(load(simulate(scenario(busy)), 'gsi2 source-day', 'partition')).toMatchObject({
      key: 'SRC#source-000#2026-11-27',
      writesPerSecond: 10_000,
      over: true,
    });
    const gsi2 = load(simulate(scenario({ ...busy, sourceIndexShards: 16 })), 'gsi2 source-day', 'partition');
    expect(gsi2.over).toBe(false);
    // The hottest shard holds what the real shard function sent there, no more.
    const shard = Number(gsi2.key.split('#')[3] ?? 0);
    expect(gsi2.key).toBe(keys.sourceDay('source-000', '2026-11-27', shard));
    let ids = 0;
    for (let n = 0; n < EVENT_ID_SAMPLE; n++) if (sourceShard(sampleEventId(n), 16) === shard) ids += 1;
    expect(gsi2.writesPerSecond).toBeCloseTo((10_000 * ids) / EVENT_ID_SAMPLE, 6);
    expect(gsi2.writesPerSecond).toBeGreaterThan(10_000 / 16);
    expect(gsi2.writesPerSecond).toBeLessThan(1.05 * (10_000 / 16));
  });

  it('puts only checkpoints on the replay job and spreads the progress over its shards', () => {
    const r = simulate(scenario({ replayPerSecond: 400 }));
    // 1 checkpoint a second; the processor never writes the job item.
    expect(load(r, 'replay job', 'item').writeUnits).toBeCloseTo(1, 6);
    // Every shard partition holds markers of this replay; none takes more than a few times its share
    // (400 markers and up to 400 counts over 64 shards, two units each).
    const shard = load(r, 'replay progress shard', 'partition');
    expect(shard.key).toMatch(/^REPLAY#00000000-0000-4000-8000-000000000000#\d+$/);
    expect(shard.writeUnits).toBeGreaterThan((2 * 400) / 64);
    expect(shard.writeUnits).toBeLessThan((4 * 4 * 400) / 64);
    expect(r.processorConcurrency).toBe(20);
  });

  it('keeps one replay at 10,000 messages/s under the partition limit with 64 shards, not with 1', () => {
    const fast = simulate(scenario({ replayPerSecond: 10_000 }));
    const over = (r: ReturnType<typeof simulate>) =>
      r.loads.filter((l) => l.path === 'replay/processor' && l.over).map((l) => l.what);
    expect(over(fast)).toEqual([]);
    // Two checkpoints a second: one each 500 batches of 10; ten times more with a 100-batch interval.
    expect(load(fast, 'replay job', 'item').writeUnits).toBeCloseTo(2, 6);
    const often = simulate(scenario({ replayPerSecond: 10_000, checkpointBatches: 100 }));
    expect(load(often, 'replay job', 'item').writeUnits).toBeCloseTo(20, 6);
    expect(load(fast, 'replay progress shard', 'partition').writeUnits).toBeGreaterThan(300);
    expect(over(simulate(scenario({ replayPerSecond: 10_000, progressShards: 1 })))).toEqual([
      'replay progress shard',
      'replay progress count',
    ]);
  });

  it('sizes items as DynamoDB does: names and values', () => {
    expect(itemBytes({ pk: 'ab', n: 12345, s: new Set([1, 22]) })).toBe(2 + 2 + 1 + 4 + 1 + 2 + 2);
    const r = simulate(scenario());
    expect(r.itemSizes.every((i) => !i.over && i.bytes > 0)).toBe(true);
  });
});
