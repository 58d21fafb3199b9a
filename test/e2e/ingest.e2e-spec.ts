import { EventIndex } from '../../src/shared/events/event-index';
import { IngestStatsStore } from '../../src/shared/ingest-stats/ingest-stats-store';
import { RejectedStore } from '../../src/shared/rejected/rejected-store';
import { RawStore } from '../../src/shared/raw/raw-store';
import { hourOf } from '../../src/shared/aws/table-keys';
import { MetricsService } from '../../src/shared/metrics/metrics.service';
import { emfProblems } from '../support/emf-schema';
import { aroundNow, wireEvent } from '../support/factories';
import { auth, startTestApp, TestApp } from '../support/test-app';

const DAY = aroundNow();

describe('POST /ingest', () => {
  let t: TestApp;
  let raw: RawStore;
  let index: EventIndex;
  let stats: IngestStatsStore;
  let rejectedRows: RejectedStore;
  const post = (body: unknown) =>
    t
      .http()
      .post('/ingest')
      .set(auth('producer'))
      .set('content-type', 'application/json')
      .send(JSON.stringify(body));

  beforeAll(async () => {
    t = await startTestApp('ingest', { LATE_THRESHOLDS: 'slow-src:1000', METRICS_EMF_ENABLED: 'true' });
    raw = t.app.get(RawStore);
    index = t.app.get(EventIndex);
    stats = t.app.get(IngestStatsStore);
    rejectedRows = t.app.get(RejectedStore);
  });
  afterAll(() => t.close());

  it('answers 201 and stores exactly the bytes received, then the index item', async () => {
    const text =
      '{ "source":"orders-svc", "type":"order.created","entity_id":"order-9",\n "occurred_at":"2026-11-25T12:00:00.123+02:00", "payload":{"b":1,"a":"€"}, "sequence": 4 }';
    const res = await t
      .http()
      .post('/ingest')
      .set(auth('producer'))
      .set('content-type', 'application/json')
      .send(text)
      .expect(201);
    expect(res.body).toEqual({
      event_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      status: 'accepted',
      received_at: expect.any(String),
      s3_key: expect.stringMatching(
        /^raw\/source=orders-svc\/date=2026-11-25\/hour=10\/[0-9a-f]{32}-[0-9a-f]{16}\.json$/,
      ),
      lag_ms: Date.parse(res.body.received_at) - Date.parse('2026-11-25T10:00:00.123Z'),
      late: true,
      future: false,
    });
    expect((await raw.get(res.body.s3_key)).toString('utf8')).toBe(text);
    expect(await index.getEvent(res.body.event_id)).toMatchObject({
      source: 'orders-svc',
      entity_id: 'order-9',
      occurred_at: '2026-11-25T10:00:00.123Z',
      sequence: 4,
      s3_key: res.body.s3_key,
      size_bytes: Buffer.byteLength(text),
      duplicate_count: 0,
    });
  });

  it('answers 200 duplicate for a retry, counting it and keeping the attempt', async () => {
    const e = wireEvent();
    const first = await post(e).expect(201);
    // Same event, other key order and spacing: still the same event.
    const reordered = {
      payload: e.payload,
      occurred_at: e.occurred_at,
      entity_id: e.entity_id,
      type: e.type,
      source: e.source,
    };
    const second = await post(reordered).set('x-request-id', 'retry-1').expect(200);
    expect(second.body).toEqual({
      event_id: first.body.event_id,
      status: 'duplicate',
      received_at: expect.any(String),
      first_received_at: first.body.received_at,
      duplicate_count: 1,
    });
    const third = await post(e).expect(200);
    expect(third.body.duplicate_count).toBe(2);
    const attempts = await index.attempts(first.body.event_id, { limit: 10 });
    expect(attempts.items.map((a) => [a.kind, a.request_id])).toEqual([
      ['duplicate', 'retry-1'],
      ['duplicate', expect.any(String)],
    ]);
  });

  it('answers 409 for an idempotency key reused with another payload, keeping the conflicting body', async () => {
    const e = wireEvent({ idempotency_key: `key-${Date.now()}` });
    const first = await post(e).expect(201);
    const other = { ...e, payload: { different: true } };
    const res = await post(other).set('x-request-id', 'conflict-1').expect(409);
    expect(res.body.error.code).toBe('INGEST.IDEMPOTENCY_CONFLICT');
    expect(res.body.error.details).toEqual({
      event_id: first.body.event_id,
      differing_fields: ['payload'],
      stored_payload_sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      received_payload_sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(res.body.error.details.stored_payload_sha256).not.toBe(
      res.body.error.details.received_payload_sha256,
    );
    // Same key and same payload is a plain duplicate.
    await post(e).expect(200);
    const stored = await index.getEvent(first.body.event_id);
    expect(stored).toMatchObject({ conflict_count: 1, duplicate_count: 1 });
    const rejected = await rejectedRows.list(e.source, DAY, { limit: 100 });
    const kept = rejected.items.find((r) => r.request_id === 'conflict-1');
    expect(kept).toMatchObject({
      reason: 'conflict',
      event_id: first.body.event_id,
      raw: JSON.stringify(other),
    });
    expect(JSON.parse((await raw.get(kept!.s3_key)).toString()).raw).toBe(JSON.stringify(other));
  });

  it('answers 400 naming every bad field, and keeps the bad row', async () => {
    const bad = {
      source: 'Bad Source',
      type: 'a b',
      entity_id: '',
      occurred_at: 'yesterday',
      payload: [],
      sequence: -1,
      color: 'red',
    };
    const res = await post(bad).set('x-request-id', 'bad-1').expect(400);
    expect(res.body.error.code).toBe('INGEST.VALIDATION_FAILED');
    expect(res.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual([
      'color',
      'entity_id',
      'occurred_at',
      'payload',
      'sequence',
      'source',
      'type',
    ]);
    const rejected = await rejectedRows.list(undefined, DAY, { limit: 1000 });
    expect(rejected.items.find((r) => r.request_id === 'bad-1')).toMatchObject({
      reason: 'validation',
      raw: JSON.stringify(bad),
      errors: res.body.error.details,
    });
  });

  it('answers 400 for invalid JSON and keeps it as a rejected row', async () => {
    const res = await t
      .http()
      .post('/ingest')
      .set(auth('producer'))
      .set('content-type', 'application/json')
      .set('x-request-id', 'badjson-1')
      .send('{"source": ')
      .expect(400);
    expect(res.body.error.code).toBe('REQUEST.INVALID_JSON');
    const rejected = await rejectedRows.list(undefined, DAY, { limit: 1000 });
    expect(rejected.items.find((r) => r.request_id === 'badjson-1')?.raw).toBe('{"source": ');
  });

  it('answers 413 above the event size limit and 415 for other content types', async () => {
    const big = wireEvent({ payload: { blob: 'x'.repeat(300 * 1024) } });
    const res = await post(big).expect(413);
    expect(res.body.error.code).toBe('REQUEST.BODY_TOO_LARGE');
    const media = await t
      .http()
      .post('/ingest')
      .set(auth('producer'))
      .set('content-type', 'text/plain')
      .send('hello')
      .expect(415);
    expect(media.body.error.code).toBe('REQUEST.UNSUPPORTED_MEDIA_TYPE');
  });

  it('flags late (per-source threshold) and future events', async () => {
    const late = await post(
      wireEvent({ source: 'slow-src', occurred_at: new Date(Date.now() - 5000).toISOString() }),
    ).expect(201);
    expect(late.body).toMatchObject({ late: true, future: false });
    const onTime = await post(wireEvent({ occurred_at: new Date(Date.now() - 5000).toISOString() })).expect(
      201,
    );
    expect(onTime.body).toMatchObject({ late: false, future: false });
    const future = await post(
      wireEvent({ occurred_at: new Date(Date.now() + 10 * 60_000).toISOString() }),
    ).expect(201);
    expect(future.body).toMatchObject({ late: false, future: true });
    expect(future.body.lag_ms).toBeLessThan(-9 * 60_000);
  });

  it('lets 50 identical concurrent requests store one object and one item: one 201, 49 duplicates', async () => {
    const source = `race-${Date.now()}`;
    const e = wireEvent({ source });
    const responses = await Promise.all(Array.from({ length: 50 }, () => post(e)));
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(49);
    const eventId = responses[0].body.event_id as string;
    expect(new Set(responses.map((r) => r.body.event_id))).toEqual(new Set([eventId]));
    expect(await raw.list(`raw/source=${source}/`)).toHaveLength(1);
    const page = await index.eventsOfSource(source, undefined, DAY, { limit: 100 });
    expect(page.items).toHaveLength(1);
    expect(page.items[0].duplicate_count).toBe(49);
    const [row] = await stats.counters([hourOf(new Date().toISOString())], source);
    expect(row).toMatchObject({ received: 50, accepted: 1, duplicates: 49 });
  });

  it('counts accepted, late and rejected events per source, type and hour with a lag histogram', async () => {
    const source = `count-${Date.now()}`;
    await post(
      wireEvent({ source, type: 'a', occurred_at: new Date(Date.now() - 2000).toISOString() }),
    ).expect(201);
    await post(
      wireEvent({ source, type: 'a', occurred_at: new Date(Date.now() - 600_000).toISOString() }),
    ).expect(201);
    await post({ ...wireEvent({ source, type: 'a' }), payload: 'not an object' }).expect(400);
    const [row] = await stats.counters([hourOf(new Date().toISOString())], source);
    expect(row).toMatchObject({ source, type: 'a', received: 3, accepted: 2, rejected: 1, late: 1 });
    expect(row.lag_buckets.reduce((a, b) => a + b, 0)).toBe(2);
    expect(row.lag_max_ms).toBeGreaterThanOrEqual(600_000);
    expect(row.bytes).toBeGreaterThan(0);
  });

  it('exposes Prometheus metrics and writes aggregated EMF lines', async () => {
    const source = `metrics-${Date.now()}`;
    await post(wireEvent({ source })).expect(201);
    const e = wireEvent({ source });
    await post(e).expect(201);
    await post(e).expect(200);
    const text = (await t.http().get('/metrics').expect(200)).text;
    expect(text).toContain(
      `pipescope_events_total{source="${source}",type="order.created",outcome="accepted"} 2`,
    );
    expect(text).toContain(
      `pipescope_events_total{source="${source}",type="order.created",outcome="duplicate"} 1`,
    );
    expect(text).toMatch(/pipescope_ingest_lag_seconds_bucket\{le="[^"]+",source="metrics-/);
    expect(text).toMatch(
      /pipescope_http_request_duration_seconds_count\{method="POST",route="\/ingest",status="201"\} [1-9]/,
    );
    const metrics = t.app.get(MetricsService);
    const lines: string[] = [];
    metrics.emfSink = (line) => lines.push(line);
    metrics.flushEmf();
    const doc = lines.map((l) => JSON.parse(l)).find((d) => d.source === source);
    expect(doc._aws.CloudWatchMetrics[0].Namespace).toBe('pipescope');
    expect(doc.EventsAccepted).toBe(2);
    expect(doc.EventsDuplicate).toBe(1);
    expect(lines.map(emfProblems)).toEqual(lines.map(() => []));
  });
});
