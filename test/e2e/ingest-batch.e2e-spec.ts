import { EventIndex } from '../../src/shared/events/event-index';
import { IngestStatsStore } from '../../src/shared/ingest-stats/ingest-stats-store';
import { RejectedStore } from '../../src/shared/rejected/rejected-store';
import { RawStore } from '../../src/shared/raw/raw-store';
import { hourOf } from '../../src/shared/aws/table-keys';
import { aroundNow, wireEvent } from '../support/factories';
import { auth, startTestApp, TestApp } from '../support/test-app';

const WINDOW = aroundNow();

describe('POST /ingest/batch', () => {
  let t: TestApp;
  let raw: RawStore;
  let index: EventIndex;
  let stats: IngestStatsStore;
  let rejectedRows: RejectedStore;
  /** Sends the body's bytes exactly (a Buffer is not serialised again). */
  const batch = (text: string | Buffer, headers: Record<string, string> = {}) =>
    t
      .http()
      .post('/ingest/batch')
      .set(auth('producer'))
      .set('content-type', 'application/json')
      .set(headers)
      .serialize((body: unknown) => body as string)
      .send(text);

  beforeAll(async () => {
    t = await startTestApp('ingest-batch');
    raw = t.app.get(RawStore);
    index = t.app.get(EventIndex);
    stats = t.app.get(IngestStatsStore);
    rejectedRows = t.app.get(RejectedStore);
  });
  afterAll(() => t.close());

  it('settles every item on its own: accepted, duplicate, conflict and rejected in one batch', async () => {
    const source = `batch-${Date.now()}`;
    const stored = wireEvent({ source });
    const keyed = wireEvent({ source, idempotency_key: 'k-1' });
    await t.http().post('/ingest').set(auth('producer')).send(stored).expect(201);
    await t.http().post('/ingest').set(auth('producer')).send(keyed).expect(201);
    const fresh = wireEvent({ source, type: 'order.paid' });
    // Items written with their own spacing: each must be stored exactly as written.
    const items = [
      JSON.stringify(fresh, null, 1).replace(/\n/g, ' '),
      JSON.stringify(stored),
      JSON.stringify({ ...keyed, payload: { changed: true } }),
      '{"source":"' + source + '","type":"bad type"}',
      JSON.stringify(fresh),
    ];
    const res = await batch(`{"events":[ ${items.join(' ,\n ')} ]}`).expect(200);
    expect(res.body).toMatchObject({ accepted: 1, duplicates: 2, conflicts: 1, rejected: 1, failed: 0 });
    expect(res.body.results.map((r: { status: string }) => r.status)).toEqual([
      'accepted',
      'duplicate',
      'conflict',
      'rejected',
      'duplicate',
    ]);
    expect(res.body.results[2].error.code).toBe('INGEST.IDEMPOTENCY_CONFLICT');
    expect(res.body.results[3]).toMatchObject({
      index: 3,
      error: {
        code: 'INGEST.VALIDATION_FAILED',
        details: expect.arrayContaining([{ field: 'type', message: 'type must not contain whitespace' }]),
      },
    });

    // The accepted item points into one NDJSON object by byte range, holding its bytes as received.
    const event = await index.getEvent(res.body.results[0].event_id);
    expect(event?.s3_key).toMatch(/^raw\/batches\/date=\d{4}-\d{2}-\d{2}\/hour=\d{2}\/[0-9a-f]{64}\.ndjson$/);
    expect((await raw.get(event!.s3_key, event!.s3_range)).toString()).toBe(items[0]);
    expect(event?.size_bytes).toBe(Buffer.byteLength(items[0]));

    const rejected = await rejectedRows.list(source, WINDOW, { limit: 10 });
    expect(rejected.items.map((r) => r.reason).sort()).toEqual(['conflict', 'validation']);
    expect(rejected.items.find((r) => r.reason === 'validation')?.raw).toBe(items[3]);

    const rows = await stats.counters([hourOf(new Date().toISOString())], source);
    const byType = Object.fromEntries(rows.map((r) => [r.type, r]));
    expect(byType['order.created']).toMatchObject({ received: 4, accepted: 2, duplicates: 1, conflicts: 1 });
    expect(byType['order.paid']).toMatchObject({ received: 2, accepted: 1, duplicates: 1 });
    expect(byType['~']).toMatchObject({ received: 1, rejected: 1 });
  });

  it('stores a retried batch once and answers every item duplicate', async () => {
    const source = `batch-retry-${Date.now()}`;
    const text = JSON.stringify({ events: [wireEvent({ source }), wireEvent({ source })] });
    const first = await batch(text).expect(200);
    expect(first.body).toMatchObject({ accepted: 2, duplicates: 0 });
    const again = await batch(text).expect(200);
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 2 });
    const events = await index.eventsOfSource(source, undefined, WINDOW, { limit: 10 });
    expect(new Set(events.items.map((e) => e.s3_key)).size).toBe(1);
  });

  it.each([
    ['{"events": []}', 'events'],
    [JSON.stringify({ events: Array.from({ length: 501 }, () => wireEvent()) }), 'events'],
    ['{"events": {"a": 1}}', 'events'],
    ['[1, 2]', '(body)'],
    [JSON.stringify({ events: [wireEvent()], extra: 1 }), 'extra'],
  ])('answers 400 for a malformed batch %#', async (text, field) => {
    const res = await batch(text).expect(400);
    expect(res.body.error.code).toBe('INGEST.VALIDATION_FAILED');
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
  });

  it('rejects an item over the per-event size limit and keeps the others', async () => {
    const big = wireEvent({ payload: { blob: 'x'.repeat(300 * 1024) } });
    const res = await batch(JSON.stringify({ events: [wireEvent(), big] })).expect(200);
    expect(res.body).toMatchObject({ accepted: 1, rejected: 1 });
    expect(res.body.results[1].error.details[0]).toMatchObject({
      field: 'events[1]',
      message: expect.stringContaining('at most 262144'),
    });
  });

  it('accepts 500 events in one batch and indexes every one', async () => {
    const source = `batch-500-${Date.now()}`;
    const res = await batch(
      JSON.stringify({ events: Array.from({ length: 500 }, () => wireEvent({ source })) }),
    ).expect(200);
    expect(res.body).toMatchObject({ accepted: 500, failed: 0 });
    let count = 0;
    let cursor: string | undefined;
    do {
      const page = await index.eventsOfSource(source, undefined, WINDOW, { limit: 1000, cursor });
      count += page.items.length;
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    expect(count).toBe(500);
  });

  it('keeps a record of each repeat of one event within one batch', async () => {
    const event = wireEvent();
    const text = JSON.stringify({ events: [event, event, event] });
    const res = await batch(text, { 'x-request-id': 'one-request-3-repeats' }).expect(200);
    expect(res.body).toMatchObject({ accepted: 1, duplicates: 2 });
    const id = res.body.results[0].event_id as string;
    const attempts = await t.http().get(`/events/${id}/attempts`).set(auth('investigator')).expect(200);
    expect(attempts.body.duplicate_count).toBe(2);
    const items = attempts.body.items as { kind: string; attempt_id: string | null; request_id: string }[];
    expect(items.map((a) => a.kind)).toEqual(['first', 'duplicate', 'duplicate']);
    expect(new Set(items.map((a) => a.request_id))).toEqual(new Set(['one-request-3-repeats']));
    expect(new Set(items.slice(1).map((a) => a.attempt_id)).size).toBe(2);
  });

  it('refuses only the unreadable items of a full batch, each naming its field', async () => {
    const source = `batch-bad-${Date.now()}`;
    const good = () => JSON.stringify(wireEvent({ source }));
    const base = (payload: string, extra = '') =>
      `{"source":"${source}","type":"t","entity_id":"e","occurred_at":"2026-11-25T10:00:00Z"${extra},"payload":${payload}}`;
    const [before, after] = base('{"s":"@"}').split('@');
    const bad: [Buffer, string][] = [
      [Buffer.concat([Buffer.from(before), Buffer.from([0xc3, 0x28]), Buffer.from(after)]), '(body)'],
      [Buffer.from(base('{"s":"\\ud800"}')), 'payload.s'],
      [Buffer.from(base('{"a":1,"a":2}')), 'payload.a'],
      [Buffer.from(base('{"n":1e400}')), 'payload.n'],
      [Buffer.from(base('{"n":12345678901234567890}')), 'payload.n'],
      // Past INGEST_MAX_PAYLOAD_DEPTH (32): INGEST.PAYLOAD_TOO_DEEP at the first level too deep.
      [Buffer.from(base(`${'['.repeat(100)}${']'.repeat(100)}`)), `payload${'[0]'.repeat(32)}`],
      [Buffer.from(base('{"__proto__":{"admin":true}}')), 'payload.__proto__'],
      [Buffer.from(base('{}', ',"sequence":9007199254740993')), 'sequence'],
      [Buffer.from(base('{}').replace('2026-11-25T10:00:00Z', '0000-01-01T00:00:00+01:00')), 'occurred_at'],
      [Buffer.from(base('{}').replace('"type":"t"', '"type":"t\\u0007"')), 'type'],
    ];
    const items: Buffer[] = Array.from({ length: 500 }, () => Buffer.from(good()));
    bad.forEach(([bytes], i) => (items[i * 50 + 7] = bytes));
    const body = Buffer.concat([
      Buffer.from('{"events":['),
      ...items.flatMap((b, i) => (i === 0 ? [b] : [Buffer.from(','), b])),
      Buffer.from(']}'),
    ]);
    const res = await batch(body);
    expect(res.body.error).toBeUndefined();
    expect(res.body).toMatchObject({ accepted: 490, rejected: 10, failed: 0 });
    bad.forEach(([, field], i) => {
      const result = res.body.results[i * 50 + 7];
      expect(result.status).toBe('rejected');
      expect(result.error.details.map((d: { field: string }) => d.field)).toContain(field);
    });
    const rejected = await rejectedRows.list(undefined, WINDOW, { limit: 1000 });
    const ours = rejected.items.filter((r) => r.request_id === res.headers['x-request-id']);
    expect(ours).toHaveLength(10);
  });

  it.each([
    [Buffer.from(`\ufeff${JSON.stringify({ events: [wireEvent()] })}`), 'byte order mark'],
    [Buffer.from(`{"events":[${JSON.stringify(wireEvent())}],"events":[]}`), 'more than once'],
  ])('refuses a body other parsers read differently, and lists it in /rejected %#', async (body, text) => {
    const res = await batch(body).expect(400);
    expect(JSON.stringify(res.body.error)).toContain(text);
    const rejected = await rejectedRows.list(undefined, WINDOW, { limit: 1000 });
    expect(rejected.items.map((r) => r.request_id)).toContain(res.headers['x-request-id']);
  });

  it('lists a refused body of any size: large ones by pointer, with bounded errors', async () => {
    const listedFor = async (requestId: string) =>
      (
        await t.http().get('/rejected').query({ limit: 1000 }).set(auth('investigator')).expect(200)
      ).body.items.find((r: { request_id: string }) => r.request_id === requestId);
    // A 2 MB body with 2,000 unknown keys of 1 KB each: far over DynamoDB's 400 KB item limit.
    const keys = Array.from({ length: 2000 }, (_, i) => `"${String(i).padStart(1000, 'k')}":1`);
    const body = `{"events":[${JSON.stringify(wireEvent())}],${keys.join(',')}}`;
    const res = await batch(body).expect(400);
    expect(JSON.stringify(res.body).length).toBeLessThan(5_000);
    const listed = await listedFor(res.headers['x-request-id']);
    expect(listed).toMatchObject({ size_bytes: Buffer.byteLength(body), raw: null });
    expect(listed.errors).toContainEqual({ field: '(body)', message: '2000 unknown fields' });
    const one = await t.http().get(`/rejected/${listed.rejection_id}`).set(auth('investigator')).expect(200);
    expect(one.body.raw).toBe(body);
    const unknown = `/rejected/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`;
    await t.http().get(unknown).set(auth('investigator')).expect(404);

    // An event with more problems than a row keeps: the first 20 listed, all of them in the object.
    const lossy = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`n${i}`, 1]));
    const text = JSON.stringify({ ...wireEvent(), source: 'Bad', payload: lossy }).replace(
      /:1([,}])/g,
      ':1e999$1',
    );
    const single = await t
      .http()
      .post('/ingest')
      .set(auth('producer'))
      .set('content-type', 'application/json')
      .send(text)
      .expect(400);
    const row = await listedFor(single.headers['x-request-id']);
    expect(row.errors).toHaveLength(20);
    expect(row.errors_total).toBe(21);
    const full = await t.http().get(`/rejected/${row.rejection_id}`).set(auth('investigator')).expect(200);
    expect(full.body.errors).toHaveLength(21);
    expect(full.body.raw).toBe(text);
  });
});
