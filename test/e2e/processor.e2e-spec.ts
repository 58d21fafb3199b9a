import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { AwsClients, createAwsClients, destroyAwsClients } from '../../src/shared/aws/aws-clients';
import { EventIndex, EventRecord } from '../../src/shared/events/event-index';
import { QueuePublisher } from '../../src/shared/queue/queue-publisher';
import { RawStore } from '../../src/shared/raw/raw-store';
import { replayProgressKeys } from '../../src/shared/aws/table-keys';
import { MetricsService } from '../../src/shared/metrics/metrics.service';
import { expectedAggregates, WireEvent } from '../support/factories';
import { pollUntil, sendBodies, sendReplay } from '../support/replay-messages';
import { auth, startTestApp, TestApp } from '../support/test-app';

const DAY = '2026-11-20';
const WINDOW = { from: `${DAY}T00:00:00Z`, to: `${DAY}T23:59:59Z` };
// One entity id holds @ and /, so keys must be URL-encoded in paths.
const ENTITIES = ['acct-1', 'acct-2', 'user@x.io/7'];
const HOURS = ['10', '11', '12'];
const TYPES = ['order.created', 'order.paid', 'order.shipped'];

/** A history of events over three entities and three hours, 1 to 4 per bucket. */
function history(): WireEvent[] {
  const events: WireEvent[] = [];
  let n = 0;
  for (const entity of ENTITIES) {
    for (const hour of HOURS) {
      const count = 1 + (n % 4);
      for (let k = 0; k < count; k++) {
        n += 1;
        events.push({
          source: 'orders-svc',
          type: TYPES[n % TYPES.length],
          entity_id: entity,
          occurred_at: `${DAY}T${hour}:${String(5 * k + 1).padStart(2, '0')}:00.000Z`,
          payload: { n, amount: n * 3 },
        });
      }
    }
  }
  return events;
}

describe('processor (consumer)', () => {
  let t: TestApp;
  let index: EventIndex;
  let queue: QueuePublisher;
  let raw: RawStore;
  let clients: AwsClients;
  let db: DynamoDBDocumentClient;
  const events = history();
  let records: EventRecord[] = [];

  const get = (path: string) => t.http().get(path).set(auth('investigator'));
  const enc = encodeURIComponent;

  const seedJob = (replayId: string) =>
    db.send(
      new PutCommand({
        TableName: t.env.PIPESCOPE_TABLE,
        Item: { ...replayProgressKeys.job(replayId), replay_id: replayId, state: 'running' },
      }),
    );
  const processed = async (replayId: string): Promise<number> => {
    const out = await db.send(
      new GetCommand({ TableName: t.env.PIPESCOPE_TABLE, Key: replayProgressKeys.job(replayId) }),
    );
    return Number(out.Item?.processed ?? 0);
  };
  const drained = async (): Promise<boolean> => {
    const d = await queue.depth(t.env.PIPESCOPE_QUEUE);
    return d.visible === 0 && d.inFlight === 0;
  };
  /** The latest version of every bucket of the test's entities. */
  const listed = async (): Promise<
    { key: string; version: number; value: unknown; input_count: number }[]
  > => {
    const items = [];
    for (const entity of ENTITIES) {
      const res = await get(
        `/aggregates?entity_id=${enc(entity)}&from=${WINDOW.from}&to=${WINDOW.to}`,
      ).expect(200);
      items.push(
        ...(res.body.items as { key: string; version: number; value: unknown; input_count: number }[]),
      );
    }
    return items;
  };
  const recordsOf = async (entity: string): Promise<EventRecord[]> =>
    (
      await index.eventsOfEntity(
        entity,
        { from: `${DAY}T00:00:00.000Z`, to: `${DAY}T23:59:59.999Z` },
        'asc',
        {
          limit: 1000,
        },
      )
    ).items;

  beforeAll(async () => {
    t = await startTestApp('processor', {
      QUEUE_MAX_RECEIVE_COUNT: '2',
      QUEUE_VISIBILITY_TIMEOUT_S: '1',
      PROCESSOR_WAIT_TIME_S: '1',
    });
    index = t.app.get(EventIndex);
    queue = t.app.get(QueuePublisher);
    raw = t.app.get(RawStore);
    clients = createAwsClients(t.env);
    db = clients.dynamo;
    const res = await t
      .http()
      .post('/ingest/batch')
      .set(auth('producer'))
      .set('content-type', 'application/json')
      .send(JSON.stringify({ events }))
      .expect(200);
    expect(res.body.accepted).toBe(events.length);
    records = (await Promise.all(ENTITIES.map(recordsOf))).flat();
    expect(records).toHaveLength(events.length);
  });

  afterAll(async () => {
    destroyAwsClients(clients);
    await t.close();
  });

  it('aggregates a replayed history per entity and hour, matching an independent count', async () => {
    await seedJob('replay-1');
    await sendReplay(queue, t.env.PIPESCOPE_QUEUE, 'replay-1', records);
    expect(
      await pollUntil(
        () => processed('replay-1'),
        (n) => n === records.length,
      ),
    ).toBe(records.length);

    const want = expectedAggregates(events);
    const got = new Map<string, unknown>();
    for (const item of await listed()) {
      got.set(item.key, item.value);
      // Messages of a bucket handled in different batches make successive versions (each built on
      // the one before); the latest holds every input.
      expect(item.input_count).toBe(want.get(item.key)?.count);
    }
    expect(got).toEqual(want);

    const key = `user@x.io/7@${DAY}T11`;
    const detail = await get(`/aggregates/${enc(key)}`).expect(200);
    const n = detail.body.latest.version as number;
    expect(detail.body).toMatchObject({ aggregator: 'entity_hour', key, latest: { key } });
    expect(detail.body.versions.map((v: { version: number }) => v.version)).toEqual(
      Array.from({ length: n }, (_, i) => i + 1),
    );
    const bucket = records.filter(
      (r) => r.entity_id === 'user@x.io/7' && r.occurred_at.startsWith(`${DAY}T11`),
    );
    expect(detail.body.latest).toMatchObject({
      value: want.get(key),
      input_hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      input_count: bucket.length,
      sample_event_ids: expect.any(Array),
      processor_version: expect.any(String),
      computed_at: expect.any(String),
      replay_ids: ['replay-1'],
    });
    expect(detail.body.latest.input_event_ids).toBeUndefined();

    const vn = await get(`/aggregates/${enc(key)}/versions/${n}`).expect(200);
    expect([...vn.body.input_event_ids].sort()).toEqual(bucket.map((r) => r.event_id).sort());
    expect(vn.body).toMatchObject({
      aggregator: 'entity_hour',
      aggregator_version: '1',
      period: `${DAY}T11`,
    });
    // The lineage files of versions 1..n, together, list every input once, with its raw object.
    const lineageIds: string[] = [];
    for (const v of detail.body.versions) {
      expect(v.lineage_key).toMatch(/^lineage\/date=\d{4}-\d{2}-\d{2}\/[0-9a-f-]{36}\.json$/);
      const lineage = JSON.parse((await raw.get(v.lineage_key)).toString());
      const entry = lineage.versions.find(
        (e: { aggregator: string; key: string; version: number }) =>
          e.aggregator === 'entity_hour' && e.key === key && e.version === v.version,
      );
      expect(entry).toMatchObject({ input_hash: v.input_hash, input_count: v.input_count });
      expect(entry.added_inputs.map((i: { event_id: string }) => i.event_id)).toEqual(v.added_event_ids);
      lineageIds.push(...v.added_event_ids);
      expect(entry.added_inputs[0]).toMatchObject({
        payload_sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        s3_key: expect.stringMatching(/^raw\//),
      });
    }
    expect(lineageIds.sort()).toEqual(bucket.map((r) => r.event_id).sort());
  });

  it('creates no new version when the same events are replayed again, even with redeliveries', async () => {
    const before = new Map((await listed()).map((item) => [item.key, item.version]));
    await seedJob('replay-2');
    await sendReplay(queue, t.env.PIPESCOPE_QUEUE, 'replay-2', [...records, ...records.slice(0, 5)]);
    expect(
      await pollUntil(
        () => processed('replay-2'),
        (n) => n === records.length,
      ),
    ).toBe(records.length);
    expect(await pollUntil(drained, (d) => d)).toBe(true);
    // Counted once per event, however often a message came.
    expect(await processed('replay-2')).toBe(records.length);
    expect(await processed('replay-1')).toBe(records.length);
    for (const item of await listed()) {
      const detail = await get(`/aggregates/${enc(item.key)}`).expect(200);
      expect(detail.body.versions).toHaveLength(before.get(item.key)!);
    }
  });

  it('writes the next version when a late event lands in a processed bucket, and the diff names that event', async () => {
    const late: WireEvent = {
      source: 'orders-svc',
      type: 'order.refunded',
      entity_id: 'acct-1',
      occurred_at: `${DAY}T10:59:00.000Z`,
      payload: { late: true },
    };
    const res = await t
      .http()
      .post('/ingest')
      .set(auth('producer'))
      .set('content-type', 'application/json')
      .send(JSON.stringify(late))
      .expect(201);
    const lateId = res.body.event_id as string;
    const record = (await index.getEvent(lateId))!;
    const key = `acct-1@${DAY}T10`;
    const n = (await get(`/aggregates/${enc(key)}`).expect(200)).body.latest.version as number;
    await sendReplay(queue, t.env.PIPESCOPE_QUEUE, 'replay-3', [record]);
    const detail = await pollUntil(
      () => get(`/aggregates/${enc(key)}`),
      (r) => r.status === 200 && r.body.latest.version === n + 1,
    );
    expect(detail.body.versions).toHaveLength(n + 1);
    expect(detail.body.latest).toMatchObject({ replay_ids: ['replay-3'], added_event_ids: [lateId] });
    const before = detail.body.versions[n - 1].value;

    const diff = await get(`/aggregates/${enc(key)}/diff?from=${n}&to=${n + 1}`).expect(200);
    expect(diff.body).toEqual({
      aggregator: 'entity_hour',
      key,
      from: n,
      to: n + 1,
      changes: expect.arrayContaining([
        { field: 'count', from: before.count, to: before.count + 1 },
        { field: 'last_occurred_at', from: before.last_occurred_at, to: late.occurred_at },
        { field: 'by_type.order.refunded', from: 0, to: 1 },
      ]),
      added_event_ids: [lateId],
      removed_event_ids: [],
    });

    const fed = await get(`/events/${lateId}/aggregates`).expect(200);
    expect(fed.body).toMatchObject({ event_id: lateId, key });
    expect(fed.body.items.map((v: { version: number }) => v.version)).toEqual([n + 1]);
    const old = records.find((r) => r.entity_id === 'acct-1' && r.occurred_at.startsWith(`${DAY}T10`))!;
    const oldFed = await get(`/events/${old.event_id}/aggregates`).expect(200);
    // The version that added the old event, and every one after it.
    const fedVersions = oldFed.body.items.map((v: { version: number }) => v.version) as number[];
    expect(fedVersions[fedVersions.length - 1]).toBe(n + 1);
    expect(fedVersions).toEqual(
      Array.from({ length: fedVersions.length }, (_, i) => n + 2 - fedVersions.length + i),
    );
    expect(fedVersions.length).toBeGreaterThan(1);
  });

  it('catches a raw object rewritten behind its back as an integrity error and dead-letters it, like poison', async () => {
    const res = await t
      .http()
      .post('/ingest')
      .set(auth('producer'))
      .set('content-type', 'application/json')
      .send(
        JSON.stringify({
          source: 'orders-svc',
          type: 'order.created',
          entity_id: 'tamper-1',
          occurred_at: `${DAY}T15:00:00.000Z`,
          payload: { amount: 10 },
        }),
      )
      .expect(201);
    const record = (await index.getEvent(res.body.event_id))!;
    const forged = JSON.stringify({
      source: 'orders-svc',
      type: 'order.created',
      entity_id: 'tamper-1',
      occurred_at: `${DAY}T15:00:00.000Z`,
      payload: { amount: 10_000 },
    });
    await raw.put(record.s3_key, Buffer.from(forged), 'application/json');
    await sendReplay(queue, t.env.PIPESCOPE_QUEUE, 'replay-4', [record]);
    await sendBodies(queue, t.env.PIPESCOPE_QUEUE, [{ body: 'not a replay message' }]);

    const seen = new Set<string>();
    await pollUntil(
      async () => {
        for (const m of await queue.receive(t.env.deadLetterQueue, 10, 1)) seen.add(m.body);
        return seen;
      },
      // Other dead letters may be there too (a slow machine can exhaust an earlier message's receives).
      (s) => s.has('not a replay message') && [...s].some((b) => b.includes(record.event_id)),
    );
    const bodies = [...seen];
    expect(bodies).toContain('not a replay message');
    expect(bodies.some((b) => b.includes(record.event_id))).toBe(true);

    const metrics = await t.app.get(MetricsService).prometheusText();
    expect(metrics).toMatch(
      /pipescope_processor_integrity_errors_total\{reason="payload_hash_mismatch"\} [1-9]/,
    );
    await get(`/aggregates/${enc(`tamper-1@${DAY}T15`)}`).expect(404);
  });

  it('answers the read API errors with their codes and needs the investigator role', async () => {
    const key = enc(`acct-1@${DAY}T10`);
    await t.http().get(`/aggregates/${key}`).set(auth('producer')).expect(403);
    expect((await get('/aggregates/no-hour').expect(400)).body.error.code).toBe(
      'AGGREGATE.VALIDATION_FAILED',
    );
    expect((await get(`/aggregates/${enc(`nobody@${DAY}T10`)}`).expect(404)).body.error.code).toBe(
      'AGGREGATE.NOT_FOUND',
    );
    expect((await get(`/aggregates/${key}/versions/9`).expect(404)).body.error.code).toBe(
      'AGGREGATE.VERSION_NOT_FOUND',
    );
    await get(`/aggregates/${key}/diff?from=1`).expect(400);
    await get(`/aggregates?entity_id=acct-1&from=${WINDOW.to}&to=${WINDOW.from}`).expect(400);
    expect((await get(`/events/${'0'.repeat(32)}/aggregates`).expect(404)).body.error.code).toBe(
      'QUERY.EVENT_NOT_FOUND',
    );
  });
});
