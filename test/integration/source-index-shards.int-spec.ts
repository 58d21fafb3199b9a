// A source's events spread over SOURCE_INDEX_SHARDS gsi2 partitions per day read back exactly as one
// partition does, against DynamoDB Local: the same events, the same pages, every order and filter.
import { dayShardPartitions } from '../../src/shared/aws/day-partitions';
import { keys, sourceShard } from '../../src/shared/aws/table-keys';
import { DynamoEventIndex } from '../../src/shared/events/dynamo-event-index';
import { Retention } from '../../src/shared/retention/retention';
import { EventRecord } from '../../src/shared/events/event-index';
import { Page, TimeWindow } from '../../src/shared/paging/page';
import { eventRecord } from '../support/factories';
import { openStores, Stores } from '../support/stores';
import { fixedShards } from '../../src/shared/shards/shard-counts';

const SOURCE = 'busy-src';
const SHARDS = 4;
const WINDOW: TimeWindow = { from: '2026-11-24T00:00:00.000Z', to: '2026-11-25T23:59:59.999Z' };

/** 160 events over two received days, some received in the same millisecond (the event id orders them). */
function history(): EventRecord[] {
  return Array.from({ length: 160 }, (_, i) => {
    const day = i % 2 === 0 ? '2026-11-24' : '2026-11-25';
    const ms = ((i * 7919) % 150) * 61_000;
    return eventRecord({
      source: SOURCE,
      type: i % 5 === 0 ? 'rare' : 'common',
      received_at: new Date(Date.parse(`${day}T00:00:00.000Z`) + ms).toISOString(),
    });
  });
}

const byReceived = (a: EventRecord, b: EventRecord): number =>
  keys.sortKey(a.received_at, a.event_id) < keys.sortKey(b.received_at, b.event_id) ? -1 : 1;

async function pages(read: (cursor?: string) => Promise<Page<EventRecord>>): Promise<Page<EventRecord>[]> {
  const out: Page<EventRecord>[] = [];
  let cursor: string | undefined;
  do {
    const page = await read(cursor);
    out.push(page);
    cursor = page.next_cursor ?? undefined;
  } while (cursor && out.length < 1000);
  return out;
}

const ids = (ps: Page<EventRecord>[]): string[] => ps.flatMap((p) => p.items.map((e) => e.event_id));
const sizes = (ps: Page<EventRecord>[]): number[] => ps.map((p) => p.items.length);

describe('the source index over several shards', () => {
  let one: Stores;
  let sharded: Stores;
  let tight: Stores;
  const events = history();

  beforeAll(async () => {
    [one, sharded, tight] = await Promise.all([
      openStores('src-shards-1'),
      openStores('src-shards-4', { SOURCE_INDEX_SHARDS: String(SHARDS) }),
      openStores('src-shards-tight', { SOURCE_INDEX_SHARDS: String(SHARDS), READ_MAX_ROUND_TRIPS: '2' }),
    ]);
    for (const stores of [one, sharded, tight]) await Promise.all(events.map((e) => stores.index.claim(e)));
  });
  afterAll(() => [one, sharded, tight].forEach((s) => s?.close()));

  it('writes each event to one shard of its day, shard 0 under the unsharded key', async () => {
    const counts = await Promise.all(
      keys.sourceDayShards(SOURCE, '2026-11-24', SHARDS).map(async (pk) => {
        const items = await sharded.table.queryAll({
          IndexName: 'gsi2',
          KeyConditionExpression: 'gsi2pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
        });
        return items.length;
      }),
    );
    expect(counts.reduce((a, b) => a + b, 0)).toBe(80);
    expect(counts.every((n) => n > 0)).toBe(true);
    const unsharded = await one.table.queryAll({
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk',
      ExpressionAttributeValues: { ':pk': 'SRC#busy-src#2026-11-24' },
    });
    expect(unsharded).toHaveLength(80);
  });

  for (const limit of [1, 7, 50, 500]) {
    it(`lists the same events in the same pages as one shard, ${limit} per page`, async () => {
      const read = (s: Stores) =>
        pages((cursor) => s.index.eventsOfSource(SOURCE, undefined, WINDOW, { limit, cursor }));
      const [a, b] = await Promise.all([read(one), read(sharded)]);
      expect(ids(b)).toEqual([...events].sort(byReceived).map((e) => e.event_id));
      expect(ids(b)).toEqual(ids(a));
      expect(sizes(b)).toEqual(sizes(a));
      expect(
        sizes(b)
          .slice(0, -1)
          .every((n) => n === limit),
      ).toBe(true);
    });
  }

  it('filters by type across shards and pages', async () => {
    const read = (s: Stores) =>
      pages((cursor) => s.index.eventsOfSource(SOURCE, 'rare', WINDOW, { limit: 6, cursor }));
    const [a, b] = await Promise.all([read(one), read(sharded)]);
    const rare = events.filter((e) => e.type === 'rare').sort(byReceived);
    expect(ids(b)).toEqual(rare.map((e) => e.event_id));
    expect(ids(b)).toEqual(ids(a));
  });

  it('reads a window inside a day from the right place in every shard', async () => {
    const window = { from: '2026-11-24T01:00:00.000Z', to: '2026-11-25T00:30:00.000Z' };
    const inside = events
      .filter((e) => e.received_at >= window.from && e.received_at <= window.to)
      .sort(byReceived);
    const got = await pages((cursor) =>
      sharded.index.eventsOfSource(SOURCE, undefined, window, { limit: 9, cursor }),
    );
    expect(ids(got)).toEqual(inside.map((e) => e.event_id));
  });

  it('reads newest first when the query says so', async () => {
    const days = dayShardPartitions('gsi2', (day) => keys.sourceDayShards(SOURCE, day, SHARDS), WINDOW)
      .reverse()
      .map((shards) => shards.map((q) => ({ ...q, ScanIndexForward: false })));
    const got = await pages((cursor) =>
      sharded.table.mergedPagedQuery(days, { limit: 11, cursor }, (item) => item as unknown as EventRecord),
    );
    expect(ids(got)).toEqual(
      [...events]
        .sort(byReceived)
        .reverse()
        .map((e) => e.event_id),
    );
    const newest = await sharded.index.latestOfSource(SOURCE, WINDOW);
    expect(newest?.event_id).toBe([...events].sort(byReceived).at(-1)?.event_id);
  });

  it('keeps a tight read budget exact: short pages say stopped_early and the rest follows', async () => {
    const got = await pages((cursor) =>
      tight.index.eventsOfSource(SOURCE, 'rare', WINDOW, { limit: 10, cursor }),
    );
    const rare = events.filter((e) => e.type === 'rare').sort(byReceived);
    expect(ids(got)).toEqual(rare.map((e) => e.event_id));
    expect(got.some((p) => p.stopped_early)).toBe(true);
    expect(got.every((p) => p.items.length <= 10)).toBe(true);
  });

  it('hides the events of higher shards from an index told fewer (what the recorded count prevents)', async () => {
    const fewer = new DynamoEventIndex(sharded.table, Retention.forever(), fixedShards(1));
    const seen = await pages((cursor) =>
      fewer.eventsOfSource(SOURCE, undefined, WINDOW, { limit: 500, cursor }),
    );
    const onShard0 = events.filter((e) => sourceShard(e.event_id, SHARDS) === 0).sort(byReceived);
    expect(ids(seen)).toEqual(onShard0.map((e) => e.event_id));
    expect(onShard0.length).toBeLessThan(events.length);
  });

  it('refuses a cursor of another query', async () => {
    const first = await sharded.index.eventsOfSource(SOURCE, undefined, WINDOW, { limit: 5 });
    await expect(
      sharded.index.eventsOfSource(SOURCE, 'rare', WINDOW, { limit: 5, cursor: first.next_cursor! }),
    ).rejects.toMatchObject({ code: 'QUERY.INVALID_CURSOR' });
    await expect(
      sharded.index.eventsOfSource('other-src', undefined, WINDOW, { limit: 5, cursor: first.next_cursor! }),
    ).rejects.toMatchObject({ code: 'QUERY.INVALID_CURSOR' });
  });
});
