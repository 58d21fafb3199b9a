import { counterShard, keys } from '../../src/shared/aws/table-keys';
import { DynamoIngestStatsStore } from '../../src/shared/ingest-stats/dynamo-ingest-stats-store';
import { emptyCounterDelta } from '../../src/shared/ingest-stats/ingest-stats-store';
import { eventRecord } from '../support/factories';
import { openStores, Stores } from '../support/stores';
import { fixedShards } from '../../src/shared/shards/shard-counts';

describe('DynamoEventIndex against DynamoDB Local', () => {
  let stores: Stores;
  beforeAll(async () => {
    stores = await openStores('event-index');
  });
  afterAll(() => stores.close());

  it('claims a new event once and reports the stored one on a second claim', async () => {
    const event = eventRecord();
    expect(await stores.index.claim(event)).toEqual({ claimed: true });
    const again = await stores.index.claim({ ...event, request_id: 'other' });
    expect(again.claimed).toBe(false);
    expect(again.claimed === false && again.existing).toMatchObject({
      event_id: event.event_id,
      request_id: event.request_id,
    });
    expect(await stores.index.getEvent(event.event_id)).toEqual(event);
  });

  it('lets exactly one of many concurrent claims win', async () => {
    const event = eventRecord();
    const results = await Promise.all(Array.from({ length: 20 }, () => stores.index.claim(event)));
    expect(results.filter((r) => r.claimed)).toHaveLength(1);
  });

  it('counts repeats and keeps their attempts', async () => {
    const event = eventRecord();
    await stores.index.claim(event);
    const attempt = {
      attempt_id: 'att-1',
      event_id: event.event_id,
      source: event.source,
      kind: 'duplicate' as const,
      received_at: '2026-11-25T10:05:00.000Z',
      payload_sha256: event.payload_sha256,
      request_id: 'dup-1',
    };
    const first = await stores.index.recordRepeat(attempt);
    const second = await stores.index.recordRepeat({
      ...attempt,
      attempt_id: 'att-2',
      received_at: '2026-11-25T10:06:00.000Z',
      request_id: 'dup-2',
    });
    expect(first.event.duplicate_count).toBe(1);
    expect(second.event).toMatchObject({
      duplicate_count: 2,
      first_duplicate_at: '2026-11-25T10:05:00.000Z',
      last_duplicate_at: '2026-11-25T10:06:00.000Z',
    });
    const attempts = await stores.index.attempts(event.event_id, { limit: 10 });
    expect(attempts.items.map((a) => [a.attempt_id, a.request_id])).toEqual([
      ['att-1', 'dup-1'],
      ['att-2', 'dup-2'],
    ]);
    const dups = await stores.index.duplicatedEvents(
      event.source,
      { from: '2026-11-25T00:00:00.000Z', to: '2026-11-25T23:59:59.999Z' },
      { limit: 10 },
    );
    expect(dups.items.map((e) => e.event_id)).toContain(event.event_id);
  });

  it('keeps each attempt of one request, at the same instant and with the same request id', async () => {
    const event = eventRecord();
    await stores.index.claim(event);
    const attempt = {
      event_id: event.event_id,
      source: event.source,
      kind: 'duplicate' as const,
      received_at: '2026-11-25T10:05:00.000Z',
      payload_sha256: event.payload_sha256,
      request_id: 'same-request',
    };
    for (const attempt_id of ['a-1', 'a-2', 'a-3'])
      await stores.index.recordRepeat({ ...attempt, attempt_id });
    const attempts = await stores.index.attempts(event.event_id, { limit: 10 });
    expect(attempts.items.map((a) => a.attempt_id).sort()).toEqual(['a-1', 'a-2', 'a-3']);
    expect(new Set(attempts.items.map((a) => a.request_id))).toEqual(new Set(['same-request']));
  });

  it('pages an entity timeline through the GSI in both orders', async () => {
    const entity = `entity-${Date.now()}`;
    const events = Array.from({ length: 7 }, (_, i) =>
      eventRecord({ entity_id: entity, occurred_at: `2026-11-25T10:0${i}:00.000Z` }),
    );
    await Promise.all(events.map((e) => stores.index.claim(e)));
    const window = { from: '2026-11-25T10:00:00.000Z', to: '2026-11-25T10:05:00.000Z' };
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await stores.index.eventsOfEntity(entity, window, 'asc', { limit: 2, cursor });
      seen.push(...page.items.map((e) => e.occurred_at));
      cursor = page.next_cursor ?? undefined;
      pages += 1;
    } while (cursor);
    expect(seen).toEqual(events.slice(0, 6).map((e) => e.occurred_at));
    expect(pages).toBe(3);
    const desc = await stores.index.eventsOfEntity(entity, window, 'desc', { limit: 3 });
    expect(desc.items.map((e) => e.occurred_at)).toEqual([
      '2026-11-25T10:05:00.000Z',
      '2026-11-25T10:04:00.000Z',
      '2026-11-25T10:03:00.000Z',
    ]);
  });

  it('pages a source across received days, filtering by type', async () => {
    const source = `src-${Date.now()}`;
    const days = ['2026-11-20', '2026-11-21', '2026-11-22'];
    const events = days.flatMap((day, d) =>
      [0, 1].map((i) =>
        eventRecord({
          source,
          type: i === 0 ? 'a' : 'b',
          received_at: `${day}T0${d}:00:0${i}.000Z`,
        }),
      ),
    );
    await Promise.all(events.map((e) => stores.index.claim(e)));
    const window = { from: '2026-11-20T00:00:00.000Z', to: '2026-11-22T23:59:59.999Z' };
    const all: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await stores.index.eventsOfSource(source, undefined, window, { limit: 4, cursor });
      all.push(...page.items.map((e) => e.received_at));
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    expect(all).toEqual(events.map((e) => e.received_at));
    const onlyA = await stores.index.eventsOfSource(source, 'a', window, { limit: 100 });
    expect(onlyA.items.map((e) => e.type)).toEqual(['a', 'a', 'a']);
    expect(onlyA.next_cursor).toBeNull();
  });

  it('adds counters and lag histograms across updates', async () => {
    const hour = '2026-11-25T10';
    const delta = {
      source: 'count-src',
      type: 't',
      hour,
      received: 2,
      accepted: 2,
      duplicates: 0,
      conflicts: 0,
      rejected: 0,
      late: 1,
      future: 0,
      bytes: 20,
      lag_buckets: [0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0],
      lag_sum_ms: 500_100,
      lag_max_ms: 500_000,
    };
    await stores.stats.addCounters([delta]);
    await stores.stats.addCounters([
      { ...delta, lag_max_ms: 100, lag_buckets: delta.lag_buckets.map((_, i) => (i === 1 ? 1 : 0)) },
    ]);
    const [row] = await stores.stats.counters([hour], 'count-src');
    expect(row).toMatchObject({ received: 4, accepted: 4, late: 2, bytes: 40, lag_max_ms: 500_000 });
    expect(row.lag_buckets[1]).toBe(2);
    expect(row.lag_buckets[12]).toBe(1);
  });

  it('adds counts past Number.MAX_SAFE_INTEGER without throwing, and reads them back', async () => {
    const hour = '0000-01-01T00';
    // Lags of events from year 0000, received today: a few hundred of them pass 2^53 ms.
    const lag = Date.now() - Date.parse('0000-01-01T00:00:00Z');
    const delta = {
      ...emptyCounterDelta('huge-src', 't', hour),
      received: 500,
      accepted: 500,
      lag_sum_ms: 500 * lag,
      lag_max_ms: lag,
    };
    delta.lag_buckets[delta.lag_buckets.length - 1] = 500;
    expect(delta.lag_sum_ms).toBeGreaterThan(Number.MAX_SAFE_INTEGER);
    await stores.stats.addCounters([delta]);
    await stores.stats.addCounters([delta]);
    const [row] = await stores.stats.counters([hour], 'huge-src');
    expect(row).toMatchObject({ accepted: 1000, lag_max_ms: lag });
    expect(row.lag_sum_ms / 1000).toBeCloseTo(lag, -3);
  });

  it('records active minutes idempotently', async () => {
    await stores.stats.markActivity([{ source: 'act', day: '2026-11-25', minutes: [3, 1, 2] }]);
    await stores.stats.markActivity([{ source: 'act', day: '2026-11-25', minutes: [2, 600] }]);
    const active = await stores.stats.activity('act', ['2026-11-24', '2026-11-25']);
    expect(active.get('2026-11-25')).toEqual([1, 2, 3, 600]);
    expect(active.has('2026-11-24')).toBe(false);
  });

  it('sums a row that several writers spread over the shards, and reads rows of the unsharded layout', async () => {
    const hour = '2026-11-25T11';
    const layout = (writer: string) => ({ shards: fixedShards(4), writer });
    const writers = Array.from(
      { length: 8 },
      (_, i) => new DynamoIngestStatsStore(stores.table, layout(`w${i}`)),
    );
    // Written before sharding: the hour's partition without a shard, which is shard 0.
    await stores.table.put({
      ...keys.counter(hour, 0, 'shard-src', 't'),
      source: 'shard-src',
      type: 't',
      hour,
      received: 5,
    });
    await Promise.all(
      writers.map((w, i) =>
        w.addCounters([
          { ...emptyCounterDelta('shard-src', 't', hour), received: 1, accepted: 1, lag_max_ms: i * 10 },
        ]),
      ),
    );
    expect(keys.counter(hour, 0, 'shard-src', 't').pk).toBe(`CNT#${hour}`);
    const used = new Set(writers.map((_, i) => counterShard(`w${i}`, 'shard-src', 't', 4)));
    expect(used.size).toBeGreaterThan(1);
    const rows = await new DynamoIngestStatsStore(stores.table, layout('reader')).counters(
      [hour],
      'shard-src',
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ received: 13, accepted: 8, lag_max_ms: 70 });
    // A store told one shard only sees that one: what the recorded count (src/shared/shards/) prevents.
    const narrow = await new DynamoIngestStatsStore(stores.table, {
      shards: fixedShards(1),
      writer: 'r',
    }).counters([hour], 'shard-src');
    expect(narrow[0].received).toBeLessThan(13);
  });

  it('keeps the largest lag when another writer raised it first, and loses no counts', async () => {
    const hour = '2026-11-25T12';
    const one = { shards: fixedShards(1), writer: 'x' };
    const a = new DynamoIngestStatsStore(stores.table, one);
    const b = new DynamoIngestStatsStore(stores.table, one);
    const delta = (max: number) => ({
      ...emptyCounterDelta('max-src', 't', hour),
      received: 1,
      lag_max_ms: max,
    });
    await a.addCounters([delta(500)]);
    await b.addCounters([delta(100)]);
    await b.addCounters([delta(200)]);
    await a.addCounters([delta(900)]);
    const [row] = await stores.stats.counters([hour], 'max-src');
    expect(row).toMatchObject({ received: 4, lag_max_ms: 900 });
  });
});
