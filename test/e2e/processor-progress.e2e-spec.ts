// Replay progress is counted in the transaction that aggregates: every verified message counts once
// for its replay, whether its event landed in a bucket or not, a redelivered batch counts nothing
// again, and a replay without a job (messages sent by hand) is processed and counted nowhere; a job
// with progress_shards is counted in its shards and read back summed. An event's DONE record rides on
// the contribution its first counting adds; a later replay of it takes a marker item. Also
// the raw read that starts beside the index read: its bytes are used only where the index agrees.
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { EventIndex, EventRecord } from '../../src/shared/events/event-index';
import { aggregateKeys, progressShard, replayProgressKeys } from '../../src/shared/aws/table-keys';
import { RawStore } from '../../src/shared/raw/raw-store';
import { AggregatorRegistry } from '../../src/processor/aggregator-registry';
import { revenuePerCustomerDay } from '../../examples/revenue-per-customer-day.aggregator';
import { ProcessorMetrics } from '../../src/processor/processor.metrics';
import { MessageFailureStore } from '../../src/shared/message-failures/message-failure-store';
import { ReplayLayouts } from '../../src/replay/replay-progress';
import { AWS_CLIENTS } from '../../src/shared/aws/aws.module';
import type { AwsClients } from '../../src/shared/aws/aws-clients';
import { ProcessorService } from '../../src/processor/processor.service';
import { AggregateStore } from '../../src/processor/aggregate-store';
import { ReplayProgress } from '../../src/replay/replay-progress';
import { ReplayJobStore } from '../../src/replay/replay-job-store';
import { DynamoReplayProgress } from '../../src/replay/dynamo-replay-progress';
import { DynamoTable } from '../../src/shared/aws/dynamo-table';
import { replayMessageBody } from '../support/replay-messages';
import { ingestHistory } from '../support/replay';
import type { WireEvent } from '../support/factories';
import { auth, startTestApp, TestApp } from '../support/test-app';

const DAY = '2026-11-18';
const AGG = 'revenue_per_customer_day';

describe('processor progress', () => {
  let t: TestApp;
  let records: EventRecord[];
  let progress: ReplayProgress;

  const processedOf = async (replayId: string) =>
    (
      await t.app
        .get<AwsClients>(AWS_CLIENTS)
        .dynamo.send(
          new GetCommand({ TableName: t.env.PIPESCOPE_TABLE, Key: replayProgressKeys.job(replayId) }),
        )
    ).Item;
  const batch = (replayId: string, rs: EventRecord[], prefix: string) =>
    rs.map((r, i) => ({ messageId: `${prefix}-${i}`, body: replayMessageBody(replayId, r) }));

  /** Three order.paid events of one entity and customer, in one hour of DAY. */
  const paid = (entity: string, hour: number, customer: string): WireEvent[] =>
    Array.from({ length: 3 }, (_, i) => ({
      source: 'prog-svc',
      type: 'order.paid',
      entity_id: entity,
      occurred_at: `${DAY}T${hour}:0${i}:00.000Z`,
      payload: { customer_id: customer, amount: 1 + i },
    }));
  /** A processor in another process: no cache of what this one wrote. */
  const anotherProcess = (registry = t.app.get(AggregatorRegistry)) =>
    new ProcessorService(
      t.app.get(EventIndex),
      t.app.get(RawStore),
      t.app.get(AggregateStore),
      registry,
      t.app.get(ProcessorMetrics),
      t.app.get(MessageFailureStore),
      t.app.get(ReplayLayouts),
    );
  /** Ingests events of one entity and creates sharded jobs; answers the events' records, in order. */
  const ingested = async (events: WireEvent[], jobs: string[]): Promise<EventRecord[]> => {
    await ingestHistory(t, events);
    const dynamo = t.app.get<AwsClients>(AWS_CLIENTS).dynamo;
    for (const id of jobs)
      await dynamo.send(
        new PutCommand({
          TableName: t.env.PIPESCOPE_TABLE,
          Item: { ...replayProgressKeys.job(id), replay_id: id, progress_shards: 64 },
        }),
      );
    const window = { from: `${DAY}T00:00:00.000Z`, to: `${DAY}T23:59:59.999Z` };
    return (await t.app.get(EventIndex).eventsOfEntity(events[0].entity_id, window, 'asc', { limit: 100 }))
      .items;
  };

  beforeAll(async () => {
    // Only the example aggregator: events without a customer land in no bucket.
    t = await startTestApp('progress', {
      PROCESSOR_ENABLED: 'false',
      PROCESSOR_AGGREGATORS: './examples/revenue-per-customer-day.aggregator',
    });
    const events: WireEvent[] = Array.from({ length: 6 }, (_, i) => ({
      source: 'prog-svc',
      type: i < 4 ? 'order.paid' : 'note.added',
      entity_id: 'prog-entity',
      occurred_at: `${DAY}T09:0${i}:00.000Z`,
      payload: i < 4 ? { customer_id: 'c-1', amount: i + 1 } : { text: `note ${i}` },
    }));
    await ingestHistory(t, events);
    records = (
      await t.app
        .get(EventIndex)
        .eventsOfEntity('prog-entity', { from: `${DAY}T00:00:00.000Z`, to: `${DAY}T23:59:59.999Z` }, 'asc', {
          limit: 100,
        })
    ).items;
    progress = new DynamoReplayProgress(t.app.get(DynamoTable));
    await t.app.get<AwsClients>(AWS_CLIENTS).dynamo.send(
      new PutCommand({
        TableName: t.env.PIPESCOPE_TABLE,
        Item: { ...replayProgressKeys.job('prog-1'), replay_id: 'prog-1' },
      }),
    );
  });
  afterAll(() => t?.close());

  it('counts every message once, bucketed or not, with and without a job, however often it comes', async () => {
    expect(records).toHaveLength(6);
    const service = t.app.get(ProcessorService);
    const messages = [
      ...batch('prog-1', records, 'a'),
      ...batch('prog-1', records.slice(0, 1), 'dup'),
      ...batch('by-hand', records.slice(0, 2), 'h'),
    ];
    const first = await service.processBatch(messages);
    expect(first.filter((r) => !r.ok)).toEqual([]);
    // The notes (a-4, a-5) add to no bucket; every message of the customer's day made its version.
    expect(first.map((r) => r.ok && r.outcome)).toEqual(
      messages.map((m) => (m.messageId === 'a-4' || m.messageId === 'a-5' ? 'unchanged' : 'versioned')),
    );
    expect((await processedOf('prog-1'))?.processed).toBe(6);
    expect(await progress.processedEventIds('prog-1')).toEqual(new Set(records.map((r) => r.event_id)));
    // No job: processed, counted nowhere, and no job item appears.
    expect(await processedOf('by-hand')).toBeUndefined();
    expect(await progress.processedEventIds('by-hand')).toEqual(new Set());

    // The whole batch again (a redelivery): nothing new, nothing counted twice.
    const again = await service.processBatch(messages);
    expect(again.map((r) => r.ok && r.outcome)).toEqual(messages.map(() => 'unchanged'));
    expect((await processedOf('prog-1'))?.processed).toBe(6);
    const versions = await t.app.get(AggregateStore).versions(AGG, `c-1@${DAY}`);
    expect(versions.map((v) => v.input_count)).toEqual([4]);
  });

  it('counts a job with progress_shards in its shards, never on the job item, once per event', async () => {
    const dynamo = t.app.get<AwsClients>(AWS_CLIENTS).dynamo;
    await dynamo.send(
      new PutCommand({
        TableName: t.env.PIPESCOPE_TABLE,
        Item: { ...replayProgressKeys.job('prog-s'), replay_id: 'prog-s', progress_shards: 64 },
      }),
    );
    const service = t.app.get(ProcessorService);
    const messages = [...batch('prog-s', records, 's'), ...batch('prog-s', records.slice(0, 2), 's-dup')];
    expect((await service.processBatch(messages)).filter((r) => !r.ok)).toEqual([]);
    expect((await service.processBatch(messages)).filter((r) => !r.ok)).toEqual([]);
    expect((await processedOf('prog-s'))?.processed).toBeUndefined();
    expect((await t.app.get(ReplayJobStore).get('prog-s'))?.processed).toBe(6);
    expect(await progress.processedEventIds('prog-s', 64)).toEqual(new Set(records.map((r) => r.event_id)));
  });

  it('carries the DONE record on the contribution it adds, sharded; a later replay of the event takes a marker', async () => {
    const fresh = await ingested(paid('carry-entity', 10, 'c-9'), ['prog-c', 'prog-d']);
    expect(fresh).toHaveLength(3);
    const table = t.app.get(DynamoTable);
    const markers = async (replayId: string) =>
      (
        await Promise.all(
          fresh.map((r) =>
            table.get(replayProgressKeys.done(replayId, r.event_id, progressShard(r.event_id, 64))),
          ),
        )
      ).filter((m) => m !== undefined).length;
    const service = t.app.get(ProcessorService);
    const ids = new Set(fresh.map((r) => r.event_id));

    // First replay: each event's first contribution carries its DONE record, no marker item; a
    // redelivery (the batch again, and one message twice in it) counts nothing again.
    const first = [...batch('prog-c', fresh, 'c'), ...batch('prog-c', fresh.slice(0, 1), 'c-dup')];
    expect((await service.processBatch(first)).filter((r) => !r.ok)).toEqual([]);
    expect((await service.processBatch(first)).filter((r) => !r.ok)).toEqual([]);
    expect((await t.app.get(ReplayJobStore).get('prog-c'))?.processed).toBe(3);
    expect(await markers('prog-c')).toBe(0);
    expect(await progress.processedEventIds('prog-c', 64)).toEqual(ids);

    // Second replay of the same events: contributed before, so each is counted with a marker, once.
    const second = batch('prog-d', fresh, 'd');
    expect((await service.processBatch(second)).filter((r) => !r.ok)).toEqual([]);
    expect((await service.processBatch(second)).filter((r) => !r.ok)).toEqual([]);
    expect((await t.app.get(ReplayJobStore).get('prog-d'))?.processed).toBe(3);
    expect(await markers('prog-d')).toBe(3);
    expect(await progress.processedEventIds('prog-d', 64)).toEqual(ids);
    const versions = await t.app.get(AggregateStore).versions(AGG, `c-9@${DAY}`);
    expect(versions.map((v) => v.input_count)).toEqual([3]);
  });

  it('keeps an event that creates its bucket alone on the pointer: counted once, across processes and replays', async () => {
    // Two customers, one event each: each event is its bucket's lone first input.
    const events: WireEvent[] = ['c-10', 'c-11'].map((customer, i) => ({
      source: 'prog-svc',
      type: 'order.paid',
      entity_id: 'lone-entity',
      occurred_at: `${DAY}T11:0${i}:00.000Z`,
      payload: { customer_id: customer, amount: 5 },
    }));
    const lone = await ingested(events, ['prog-e', 'prog-f']);
    expect(lone).toHaveLength(2);
    const table = t.app.get(DynamoTable);
    const count = async (keyOf: (eventId: string, key: string) => Record<string, string>) =>
      (await Promise.all(lone.map((r, i) => table.get(keyOf(r.event_id, `c-1${i}@${DAY}`))))).filter(
        (m) => m !== undefined,
      ).length;
    const contributionItems = () => count((id, key) => aggregateKeys.contribution(AGG, key, id));
    const markersOf = (replayId: string) =>
      count((id) => replayProgressKeys.done(replayId, id, progressShard(id, 64)));
    const ids = new Set(lone.map((r) => r.event_id));

    const first = batch('prog-e', lone, 'e');
    expect((await t.app.get(ProcessorService).processBatch(first)).filter((r) => !r.ok)).toEqual([]);
    expect((await anotherProcess().processBatch(first)).map((r) => r.ok && r.outcome)).toEqual([
      'unchanged',
      'unchanged',
    ]);
    expect((await t.app.get(ProcessorService).processBatch(first)).filter((r) => !r.ok)).toEqual([]);
    expect((await t.app.get(ReplayJobStore).get('prog-e'))?.processed).toBe(2);
    expect(await contributionItems()).toBe(0);
    expect(await markersOf('prog-e')).toBe(0);
    expect(await progress.processedEventIds('prog-e', 64)).toEqual(ids);
    for (const [i, r] of lone.entries()) {
      const key = `c-1${i}@${DAY}`;
      expect((await t.app.get(AggregateStore).contributions(AGG, key)).map((c) => c.event_id)).toEqual([
        r.event_id,
      ]);
      const [v1] = await t.app.get(AggregateStore).versions(AGG, key);
      expect([v1.version, v1.input_count, v1.added_event_ids]).toEqual([1, 1, [r.event_id]]);
      const shown = (
        await t
          .http()
          .get(`/aggregates/${encodeURIComponent(key)}/versions/1`)
          .query({ aggregator: AGG })
          .set(auth('investigator'))
          .expect(200)
      ).body as Record<string, unknown>;
      expect(shown.input_event_ids).toEqual([r.event_id]);
      expect(shown).not.toHaveProperty('first_input');
    }

    // A second replay of the same events, in a fresh process: counted once each, with markers.
    const second = batch('prog-f', lone, 'f');
    expect((await anotherProcess().processBatch(second)).filter((r) => !r.ok)).toEqual([]);
    expect((await t.app.get(ProcessorService).processBatch(second)).filter((r) => !r.ok)).toEqual([]);
    expect((await t.app.get(ReplayJobStore).get('prog-f'))?.processed).toBe(2);
    expect(await markersOf('prog-f')).toBe(2);
    expect(await progress.processedEventIds('prog-f', 64)).toEqual(ids);
  });

  it('counts a redelivery once for an aggregator that recomputes (no add), whose inputs it reads back', async () => {
    const fresh = await ingested(paid('recompute-entity', 12, 'c-20'), ['prog-g']);
    const recomputing = { ...revenuePerCustomerDay, name: 'revenue_recomputed', add: undefined };
    const service = anotherProcess(new AggregatorRegistry([recomputing]));
    // Two events first, then all three, then all three again: the known inputs are found by reading
    // the bucket back (no refused write says who counted them), and counted once.
    expect(
      (await service.processBatch(batch('prog-g', fresh.slice(0, 2), 'g1'))).filter((r) => !r.ok),
    ).toEqual([]);
    expect((await service.processBatch(batch('prog-g', fresh, 'g2'))).filter((r) => !r.ok)).toEqual([]);
    expect((await service.processBatch(batch('prog-g', fresh, 'g3'))).filter((r) => !r.ok)).toEqual([]);
    expect((await t.app.get(ReplayJobStore).get('prog-g'))?.processed).toBe(3);
    const versions = await t.app.get(AggregateStore).versions('revenue_recomputed', `c-20@${DAY}`);
    expect(versions.map((v) => v.input_count)).toEqual([2, 3]);
  });

  it('reads the raw bytes where the index says, whatever range or key the message names', async () => {
    const service = t.app.get(ProcessorService);
    const [r] = records;
    expect(r.s3_range).toBeDefined();
    const wrongRange = JSON.parse(replayMessageBody('prog-2', r)) as Record<string, unknown>;
    wrongRange.s3_range = [0, 5];
    const otherKey = JSON.parse(replayMessageBody('prog-2', records[1])) as Record<string, unknown>;
    otherKey.s3_key = 'raw/batches/date=2026-11-18/hour=09/' + 'f'.repeat(64) + '.ndjson';
    const results = await service.processBatch([
      { messageId: 'range', body: JSON.stringify(wrongRange) },
      { messageId: 'key', body: JSON.stringify(otherKey) },
    ]);
    expect(results[0]).toMatchObject({ ok: true });
    expect(results[1]).toMatchObject({ ok: false, error: { details: { reason: 'pointer_mismatch' } } });
  });
});
