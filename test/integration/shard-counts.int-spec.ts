// The recorded shard counts against DynamoDB Local: the item's conditions, and instances with different
// SOURCE_INDEX_SHARDS / COUNTER_SHARDS on one table (a rolling deploy raising the count, a lowered
// setting) reading every event and every count the others wrote.
import { keys } from '../../src/shared/aws/table-keys';
import { DynamoEventIndex } from '../../src/shared/events/dynamo-event-index';
import { EventRecord } from '../../src/shared/events/event-index';
import { DynamoIngestStatsStore } from '../../src/shared/ingest-stats/dynamo-ingest-stats-store';
import { emptyCounterDelta } from '../../src/shared/ingest-stats/ingest-stats-store';
import { Retention } from '../../src/shared/retention/retention';
import { DynamoShardCountStore } from '../../src/shared/shards/dynamo-shard-count-store';
import { ShardCountsService } from '../../src/shared/shards/shard-counts.service';
import { fixedShards } from '../../src/shared/shards/shard-counts';
import { eventRecord } from '../support/factories';
import { openStores, Stores } from '../support/stores';

const GRACE = 75_000;
const SOURCE = 'deploy-src';
const WINDOW = { from: '2026-11-26T00:00:00.000Z', to: '2026-11-26T23:59:59.999Z' };

describe('recorded shard counts', () => {
  let stores: Stores;
  let now = Date.parse('2026-11-26T12:00:00.000Z');
  const clock = () => now;

  beforeAll(async () => {
    stores = await openStores('shard-counts');
  });
  afterAll(() => stores?.close());

  /** One instance on the shared table, configured with these counts. */
  const instance = (sourceIndex: number, counters: number, writer: string) => {
    const shards = new ShardCountsService(
      new DynamoShardCountStore(stores.table),
      { source_index: sourceIndex, counters },
      { refreshMs: 30_000, graceMs: GRACE },
      clock,
    );
    return {
      shards,
      index: new DynamoEventIndex(stores.table, Retention.forever(), shards.counts('source_index')),
      stats: new DynamoIngestStatsStore(stores.table, { shards: shards.counts('counters'), writer }),
    };
  };

  const listed = async (index: DynamoEventIndex): Promise<string[]> =>
    (await index.eventsOfSource(SOURCE, undefined, WINDOW, { limit: 1000 })).items
      .map((e) => e.event_id)
      .sort();

  const written: EventRecord[] = [];
  const write = async (index: DynamoEventIndex, n: number): Promise<void> => {
    const batch = Array.from({ length: n }, () =>
      eventRecord({ source: SOURCE, received_at: new Date(now).toISOString() }),
    );
    await Promise.all(batch.map((e) => index.claim(e)));
    written.push(...batch);
  };

  it('keeps the first count and refuses a raise from a count no longer recorded', async () => {
    const own = await openStores('shard-counts-item');
    const store = new DynamoShardCountStore(own.table);
    expect(await store.read()).toEqual({});
    expect(await store.raise('counters', 2, undefined, 1, 1)).toBe(true);
    expect(await store.raise('counters', 3, undefined, 1, 2)).toBe(false);
    expect(await store.raise('counters', 3, 1, 1, 2)).toBe(false);
    expect(await store.raise('counters', 3, 2, 2, 5)).toBe(true);
    expect((await store.read()).counters).toEqual({ shards: 3, before: 2, raised_at: 5 });
    const item = await own.table.get(keys.shardCounts);
    expect(item).toMatchObject({ counters_shards: 3, counters_before: 2, counters_raised_at: 5 });
    own.close();
  });

  it('loses no event or count to a rolling deploy that raises the counts, nor to lowering them', async () => {
    const old = instance(1, 1, 'old');
    await old.shards.refresh();
    await write(old.index, 20);
    await old.stats.addCounters([{ ...emptyCounterDelta(SOURCE, 't', '2026-11-26T12'), received: 20 }]);

    // The deploy: a new instance with 4 index shards and 8 counter shards boots beside the old one.
    const fresh = instance(4, 8, 'fresh');
    await fresh.shards.refresh();
    await write(fresh.index, 40);
    expect(await listed(old.index)).toEqual(written.map((e) => e.event_id).sort());

    // The old instance looks again within a refresh; past the grace period the new one spreads out.
    // A page it read over one shard before that look goes on over the four after it.
    const page = await old.index.eventsOfSource(SOURCE, undefined, WINDOW, { limit: 5 });
    now += 30_000;
    await old.shards.refresh();
    now += GRACE;
    await write(fresh.index, 200);
    await fresh.stats.addCounters([{ ...emptyCounterDelta(SOURCE, 't', '2026-11-26T12'), received: 30 }]);
    const gsi2 = await Promise.all(
      keys.sourceDayShards(SOURCE, '2026-11-26', 4).map((pk) =>
        stores.table.queryAll({
          IndexName: 'gsi2',
          KeyConditionExpression: 'gsi2pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
        }),
      ),
    );
    expect(gsi2.every((items) => items.length > 0)).toBe(true);
    expect(await listed(old.index)).toEqual(written.map((e) => e.event_id).sort());
    const paged = page.items.map((e) => e.event_id);
    for (let cursor = page.next_cursor; cursor !== null;) {
      const next = await old.index.eventsOfSource(SOURCE, undefined, WINDOW, { limit: 7, cursor });
      paged.push(...next.items.map((e) => e.event_id));
      cursor = next.next_cursor;
    }
    // Each event once, and in the order one read of the whole listing gives.
    const whole = await old.index.eventsOfSource(SOURCE, undefined, WINDOW, { limit: 1000 });
    expect(whole.next_cursor).toBeNull();
    expect(paged).toEqual(whole.items.map((e) => e.event_id));
    expect([...paged].sort()).toEqual(written.map((e) => e.event_id).sort());

    // A cursor read over the four shards is refused by a reader that now knows only one (the record
    // lowered by hand while it was in use): not misread as covering every shard.
    const wide = await old.index.eventsOfSource(SOURCE, undefined, WINDOW, { limit: 5 });
    const narrow = new DynamoEventIndex(stores.table, Retention.forever(), fixedShards(1));
    await expect(
      narrow.eventsOfSource(SOURCE, undefined, WINDOW, { limit: 5, cursor: wide.next_cursor! }),
    ).rejects.toMatchObject({ code: 'QUERY.INVALID_CURSOR' });

    // An instance rolled back to one shard still reads the four, and every counter shard.
    const lowered = instance(1, 1, 'lowered');
    await lowered.shards.refresh();
    expect(await listed(lowered.index)).toEqual(written.map((e) => e.event_id).sort());
    const rows = await lowered.stats.counters(['2026-11-26T12'], SOURCE);
    expect(rows.map((r) => r.received)).toEqual([50]);
  });
});
