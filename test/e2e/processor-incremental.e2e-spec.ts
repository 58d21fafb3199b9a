// Incremental versions equal a from-scratch computation: one entity-hour (and two customer-days of the
// example aggregator) fed by shuffled batches with re-delivered messages, processed concurrently by
// two app instances on the same table (two processes as far as the table can tell). The final version
// of each bucket must hold exactly what computing it from all its events at once gives.
import { PutCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { EventIndex, EventRecord } from '../../src/shared/events/event-index';
import { RawStore } from '../../src/shared/raw/raw-store';
import { replayProgressKeys } from '../../src/shared/aws/table-keys';
import { AWS_CLIENTS } from '../../src/shared/aws/aws.module';
import type { AwsClients } from '../../src/shared/aws/aws-clients';
import { ProcessorService } from '../../src/processor/processor.service';
import { AggregatorRegistry } from '../../src/processor/aggregator-registry';
import { AggregatesService } from '../../src/processor/aggregates.service';
import { bucketKey, inputHash, sortInputs } from '../../src/processor/aggregate';
import { normaliseRaw, NormalisedEvent } from '../../src/processor/normalise';
import { MetricsService } from '../../src/shared/metrics/metrics.service';
import { mapLimit } from '../../src/shared/async/map-limit';
import { replayMessageBody } from '../support/replay-messages';
import { ingestHistory } from '../support/replay';
import type { WireEvent } from '../support/factories';
import { restartTestApp, startTestApp, TestApp } from '../support/test-app';

const HOUR = '2026-11-19T07';
const EVENTS = 150;

describe('incremental versions', () => {
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    a = await startTestApp('incremental', {
      PROCESSOR_ENABLED: 'false',
      PROCESSOR_AGGREGATORS: 'entity_hour,./examples/revenue-per-customer-day.aggregator',
    });
    b = await restartTestApp(a.env);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('end with the input hash, count, value, samples and lineage of a from-scratch computation', async () => {
    const events: WireEvent[] = Array.from({ length: EVENTS }, (_, i) => ({
      source: 'inc-svc',
      type: i % 4 === 0 ? 'order.refunded' : 'order.paid',
      entity_id: 'hot-entity',
      occurred_at: `${HOUR}:${String(i % 60).padStart(2, '0')}:${String(Math.floor(i / 60)).padStart(2, '0')}.000Z`,
      // Every fifth payload equals another's: equal payloads are distinct inputs all the same.
      payload: { customer_id: i % 3 === 0 ? 'c-1' : 'c-2', amount: (i % 5) * 1.25, n: i % 5 === 0 ? 0 : i },
    }));
    await ingestHistory(a, events);
    const records = (
      await a.app
        .get(EventIndex)
        .eventsOfEntity('hot-entity', { from: `${HOUR}:00:00.000Z`, to: `${HOUR}:59:59.999Z` }, 'asc', {
          limit: 1000,
        })
    ).items;
    expect(records).toHaveLength(EVENTS);
    const db = a.app.get<AwsClients>(AWS_CLIENTS).dynamo;
    await db.send(
      new PutCommand({
        TableName: a.env.PIPESCOPE_TABLE,
        Item: { ...replayProgressKeys.job('inc-1'), replay_id: 'inc-1' },
      }),
    );

    // Every event once, a third of them again (re-deliveries), shuffled, in batches of 10.
    const deliveries: EventRecord[] = [...records, ...records.filter((_, i) => i % 3 === 0)];
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (let i = deliveries.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [deliveries[i], deliveries[j]] = [deliveries[j], deliveries[i]];
    }
    const batches: { messageId: string; body: string }[][] = [];
    for (let i = 0; i < deliveries.length; i += 10) {
      batches.push(
        deliveries
          .slice(i, i + 10)
          .map((e, j) => ({ messageId: `m-${i + j}`, body: replayMessageBody('inc-1', e) })),
      );
    }
    // Two instances, three batches in flight each, all on the same buckets at once.
    const services = [a.app.get(ProcessorService), b.app.get(ProcessorService)];
    const results = (
      await mapLimit([...batches.keys()], 6, (i) => services[i % 2].processBatch(batches[i]))
    ).flat();
    expect(results.filter((r) => !r.ok)).toEqual([]);
    const job = await db.send(
      new GetCommand({ TableName: a.env.PIPESCOPE_TABLE, Key: replayProgressKeys.job('inc-1') }),
    );
    expect(job.Item?.processed).toBe(EVENTS);

    // From scratch: every event's raw bytes, normalised, each aggregator's buckets computed at once.
    const raw = a.app.get(RawStore);
    const all: NormalisedEvent[] = await mapLimit(records, 16, async (r) => {
      const n = normaliseRaw(await raw.get(r.s3_key, r.s3_range));
      if (!n.ok) throw new Error(n.reason);
      return n.event;
    });
    const reader = a.app.get(AggregatesService);
    const registry = a.app.get(AggregatorRegistry);
    let buckets = 0;
    for (const aggregator of registry.all) {
      const byBucket = new Map<string, NormalisedEvent[]>();
      for (const e of all) {
        const bucket = aggregator.bucketOf(e);
        if (bucket) byBucket.set(bucketKey(bucket), [...(byBucket.get(bucketKey(bucket)) ?? []), e]);
      }
      for (const [key, inputs] of byBucket) {
        buckets += 1;
        const { latest, versions } = await reader.get(key, aggregator.name);
        expect(latest).toMatchObject({
          aggregator: aggregator.name,
          input_hash: inputHash(inputs),
          input_count: inputs.length,
          value: aggregator.compute(inputs),
          sample_event_ids: sortInputs(inputs)
            .slice(0, 10)
            .map((e) => e.event_id),
        });
        const ids = sortInputs(inputs).map((e) => e.event_id);
        expect((await reader.version(key, latest.version, aggregator.name)).input_event_ids).toEqual(ids);
        // Versions 1..n, each adding what it added, make up the lineage: every input exactly once.
        expect(versions.map((v) => v.version)).toEqual(versions.map((_, i) => i + 1));
        const added = versions.flatMap((v) => v.added_event_ids);
        expect(added.sort()).toEqual([...ids].sort());
        for (const v of versions) {
          const lineage = JSON.parse((await raw.get(v.lineage_key)).toString()) as {
            versions: {
              aggregator: string;
              key: string;
              version: number;
              added_inputs: { event_id: string }[];
            }[];
          };
          const entry = lineage.versions.find(
            (e) => e.aggregator === aggregator.name && e.key === key && e.version === v.version,
          )!;
          expect(entry.added_inputs.map((i) => i.event_id).sort()).toEqual([...v.added_event_ids].sort());
        }
      }
    }
    expect(buckets).toBe(3); // one entity-hour, two customer-days

    // Processing everything again changes nothing, from either instance.
    const again = (
      await mapLimit([...batches.keys()], 6, (i) => services[(i + 1) % 2].processBatch(batches[i]))
    ).flat();
    expect(again.every((r) => r.ok && r.outcome === 'unchanged')).toBe(true);
    expect((await reader.get(`hot-entity@${HOUR}`)).latest.input_count).toBe(EVENTS);

    const metrics = await a.app.get(MetricsService).prometheusText();
    expect(metrics).toMatch(/^pipescope_processor_index_items_read_total [1-9]\d*$/m);
    expect(metrics).toMatch(/^pipescope_processor_raw_bytes_read_total [1-9]\d*$/m);
  });
});
