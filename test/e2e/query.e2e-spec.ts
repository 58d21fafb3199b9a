// The investigator's API over a small, realistic history built through the ingest API: three sources,
// late events, duplicates, a conflict, rejected rows (one not even JSON), a batch, a sequence gap,
// and, written straight through the real IngestStatsStore, a silent hour on a past day (activity is keyed
// by received minute, which ingest stamps with the server clock).
import { randomBytes } from 'node:crypto';
import { IngestStatsStore } from '../../src/shared/ingest-stats/ingest-stats-store';
import { wireEvent, WireEvent } from '../support/factories';
import { auth, KEY_IDS, startTestApp, TestApp } from '../support/test-app';

const HOUR = 3_600_000;
const MIN = 60_000;
const T = Date.now();
const ago = (ms: number) => new Date(T - ms).toISOString();
const floorMinute = (iso: string) => new Date(Math.floor(Date.parse(iso) / MIN) * MIN).toISOString();
const r = randomBytes(3).toString('hex');
const ORDERS = `qa-orders-${r}`;
const PAY = `qa-pay-${r}`;
const SEQ = `qa-seq-${r}`;
const QUIET = `qa-quiet-${r}`;
const CUST = `cust-${r}`;
const DEV = `dev-${r}`;

/** Response bodies are untyped JSON. */
type Json = ReturnType<typeof JSON.parse>;

interface Sent {
  text: string;
  status: number;
  body: Json;
}

describe('Query API', () => {
  let t: TestApp;
  const sent: Record<string, Sent> = {};
  /** received_at of every request that marked ORDERS active. */
  const ordersReceived: string[] = [];

  const post = async (name: string, body: unknown, requestId?: string): Promise<Sent> => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const req = t.http().post('/ingest').set(auth('producer')).set('content-type', 'application/json');
    if (requestId) void req.set('x-request-id', requestId);
    const res = await req.send(text);
    sent[name] = { text, status: res.status, body: res.body };
    return sent[name];
  };
  const get = (path: string, query: Record<string, string | number> = {}) =>
    t.http().get(path).query(query).set(auth('investigator'));
  const idOf = (name: string): string => sent[name].body.event_id ?? sent[name].body.error.details.event_id;

  /** Follows next_cursor to the end, returning each page's items. */
  async function pages(path: string, query: Record<string, string | number>): Promise<Json[][]> {
    const out: Json[][] = [];
    let cursor: string | null = null;
    do {
      const res: { body: Json } = await get(path, cursor ? { ...query, cursor } : query).expect(200);
      out.push(res.body.items);
      cursor = res.body.next_cursor;
    } while (cursor !== null && out.length < 50);
    return out;
  }

  beforeAll(async () => {
    t = await startTestApp('query');
    const orders = (o: Partial<WireEvent>) => wireEvent({ source: ORDERS, entity_id: CUST, ...o });
    // Orders: two late events (3 h and 2 h old), three on time, one with an idempotency key.
    await post('o1', JSON.stringify(orders({ type: 'order.created', occurred_at: ago(3 * HOUR) }), null, 2));
    await post('o2', orders({ type: 'order.paid', occurred_at: ago(2 * HOUR) }));
    await post('o3', orders({ type: 'order.shipped', occurred_at: ago(MIN) }), `o3-first-${r}`);
    await post('o4', orders({ type: 'order.created', entity_id: `other-${r}`, occurred_at: ago(10_000) }));
    const o5 = orders({ type: 'order.created', idempotency_key: `idem-${r}`, occurred_at: ago(30_000) });
    await post('o5', o5);
    // Retries: o3 twice, o4 once; then o5's key with another payload (a conflict).
    await post('o3dup1', JSON.parse(sent.o3.text), `o3-dup1-${r}`);
    await post('o3dup2', JSON.parse(sent.o3.text), `o3-dup2-${r}`);
    await post('o4dup', JSON.parse(sent.o4.text));
    await post('o5conflict', { ...o5, payload: { changed: true } }, `o5-conflict-${r}`);
    // Bad rows: a bad type (unusable as a counter label), a bad time, and a body that is not JSON.
    await post('bad1', { ...orders({}), type: 'bad type' }, `bad1-${r}`);
    await post('bad2', { ...orders({ type: 'order.created' }), occurred_at: 'yesterday' }, `bad2-${r}`);
    await post('badjson', '{"source": "qa', `badjson-${r}`);
    // Payments: a late one for the same customer, a batch of two, one event of DEV with a sequence.
    await post(
      'p1',
      wireEvent({ source: PAY, type: 'payment.captured', entity_id: CUST, occurred_at: ago(2.5 * HOUR) }),
    );
    const batch = {
      events: [
        wireEvent({ source: PAY, type: 'payment.captured', entity_id: `pay-${r}` }),
        wireEvent({ source: PAY, type: 'payment.captured', entity_id: `pay-${r}` }),
      ],
    };
    const batchText = JSON.stringify(batch);
    const batchRes = await t
      .http()
      .post('/ingest/batch')
      .set(auth('producer'))
      .set('content-type', 'application/json')
      .send(batchText)
      .expect(200);
    batch.events.forEach((e, i) => {
      sent[`p${i + 2}`] = { text: JSON.stringify(e), status: 201, body: batchRes.body.results[i] };
    });
    await post('pdev', wireEvent({ source: PAY, type: 'device.ping', entity_id: DEV, sequence: 100 }));
    // A device numbering its events: 1 2 4 3 7 7' 8 (5 and 6 never arrive, 3 arrives after 4).
    for (const [name, sequence] of [
      ['s1', 1],
      ['s2', 2],
      ['s4', 4],
      ['s3', 3],
      ['s7', 7],
      ['s7b', 7],
      ['s8', 8],
    ] as const) {
      await post(name, wireEvent({ source: SEQ, type: 'device.ping', entity_id: DEV, sequence }));
    }
    for (const [name, s] of Object.entries(sent)) {
      if (name !== 'badjson' && s.status >= 500) throw new Error(`${name}: ${s.status}`);
    }
    for (const name of ['o1', 'o2', 'o3', 'o4', 'o5', 'o3dup1', 'o3dup2', 'o4dup']) {
      ordersReceived.push(sent[name].body.received_at);
    }
  });
  afterAll(async () => {
    await t.close();
  });

  /** The index record of a named event, as GET /events/{id}?raw=false answers it. */
  const record = async (name: string) =>
    (await get(`/events/${idOf(name)}`, { raw: 'false' }).expect(200)).body;

  it('built the history it meant to', () => {
    expect(Object.fromEntries(Object.entries(sent).map(([name, s]) => [name, s.status]))).toEqual({
      o1: 201,
      o2: 201,
      o3: 201,
      o4: 201,
      o5: 201,
      o3dup1: 200,
      o3dup2: 200,
      o4dup: 200,
      o5conflict: 409,
      bad1: 400,
      bad2: 400,
      badjson: 400,
      p1: 201,
      p2: 201,
      p3: 201,
      pdev: 201,
      s1: 201,
      s2: 201,
      s4: 201,
      s3: 201,
      s7: 201,
      s7b: 201,
      s8: 201,
    });
  });

  describe('GET /events/{event_id}', () => {
    it('answers every index field and the raw event exactly as received', async () => {
      const o3 = sent.o3.body;
      const res = await get(`/events/${o3.event_id}`).expect(200);
      expect(res.body).toEqual({
        event_id: o3.event_id,
        source: ORDERS,
        type: 'order.shipped',
        entity_id: CUST,
        occurred_at: JSON.parse(sent.o3.text).occurred_at,
        received_at: o3.received_at,
        lag_ms: o3.lag_ms,
        late: false,
        future: false,
        sequence: null,
        idempotency_key: null,
        schema_version: null,
        payload_sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        size_bytes: Buffer.byteLength(sent.o3.text),
        s3_key: o3.s3_key,
        s3_range: null,
        request_id: `o3-first-${r}`,
        key_id: KEY_IDS.producer,
        duplicate_count: 2,
        conflict_count: 0,
        first_duplicate_at: sent.o3dup1.body.received_at,
        last_duplicate_at: sent.o3dup2.body.received_at,
        recovered_at: null,
        raw: sent.o3.text,
      });
    });

    it('keeps the producer’s own formatting, and reads a batch member by its byte range', async () => {
      expect((await get(`/events/${idOf('o1')}`).expect(200)).body.raw).toBe(sent.o1.text);
      expect(sent.o1.text).toContain('\n  "source"');
      const p3 = (await get(`/events/${idOf('p3')}`).expect(200)).body;
      expect(p3.raw).toBe(sent.p3.text);
      expect(p3.s3_range).toEqual([expect.any(Number), expect.any(Number)]);
      expect(p3.s3_range[1] - p3.s3_range[0] + 1).toBe(Buffer.byteLength(sent.p3.text));
    });

    it('omits raw with ?raw=false', async () => {
      const body = await record('o5');
      expect(body).not.toHaveProperty('raw');
      expect(body).toMatchObject({ idempotency_key: `idem-${r}`, conflict_count: 1, duplicate_count: 0 });
    });

    it('answers 404 QUERY.EVENT_NOT_FOUND for an unknown id and 400 for a malformed one', async () => {
      const missing = await get(`/events/${'0'.repeat(32)}`).expect(404);
      expect(missing.body.error).toEqual({
        code: 'QUERY.EVENT_NOT_FOUND',
        message: `No event ${'0'.repeat(32)}`,
        details: { event_id: '0'.repeat(32) },
      });
      const bad = await get('/events/not-an-id').expect(400);
      expect(bad.body.error.code).toBe('QUERY.VALIDATION_FAILED');
      expect(bad.body.error.details).toEqual([{ field: 'event_id', message: expect.any(String) }]);
      const raw = await get(`/events/${idOf('o1')}`, { raw: 'maybe' }).expect(400);
      expect(raw.body.error.details).toEqual([{ field: 'raw', message: 'raw must be true or false' }]);
    });
  });

  describe('GET /events/{event_id}/attempts', () => {
    it('shows the first submission and each duplicate, with times, hashes and request ids', async () => {
      const o3 = await record('o3');
      const res = await get(`/events/${o3.event_id}/attempts`).expect(200);
      const attempt = (kind: string, name: string, requestId: string) => ({
        kind,
        attempt_id: kind === 'first' ? null : expect.stringMatching(/^[0-9a-f-]{36}$/),
        received_at: sent[name].body.received_at,
        payload_sha256: o3.payload_sha256,
        request_id: requestId,
        key_id: KEY_IDS.producer,
        same_payload_as_first: true,
        s3_key: kind === 'first' ? o3.s3_key : null,
      });
      expect(res.body).toEqual({
        event_id: o3.event_id,
        source: ORDERS,
        idempotency_key: null,
        duplicate_count: 2,
        conflict_count: 0,
        items: [
          attempt('first', 'o3', `o3-first-${r}`),
          attempt('duplicate', 'o3dup1', `o3-dup1-${r}`),
          attempt('duplicate', 'o3dup2', `o3-dup2-${r}`),
        ],
        next_cursor: null,
        stopped_early: false,
      });
      // The same three, one per page.
      const onePerPage = await pages(`/events/${o3.event_id}/attempts`, { limit: 1 });
      expect(onePerPage.map((p) => p.map((a: Json) => a.request_id))).toEqual([
        [`o3-first-${r}`],
        [`o3-dup1-${r}`],
        [`o3-dup2-${r}`],
      ]);
    });

    it('shows a conflicting attempt with its own payload hash and where its body is kept', async () => {
      const o5 = await record('o5');
      const res = await get(`/events/${o5.event_id}/attempts`).expect(200);
      expect(res.body.items).toEqual([
        expect.objectContaining({ kind: 'first', payload_sha256: o5.payload_sha256 }),
        {
          kind: 'conflict',
          attempt_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          received_at: expect.any(String),
          payload_sha256: sent.o5conflict.body.error.details.received_payload_sha256,
          request_id: `o5-conflict-${r}`,
          key_id: KEY_IDS.producer,
          same_payload_as_first: false,
          s3_key: expect.stringMatching(/^rejected\//),
        },
      ]);
      await get(`/events/${'f'.repeat(32)}/attempts`).expect(404);
    });
  });

  describe('GET /events?entity_id=', () => {
    const timeline = ['o1', 'p1', 'o2', 'o3', 'o5'];

    it('answers an entity’s events across sources by occurred_at, oldest first by default', async () => {
      const res = await get('/events', { entity_id: CUST }).expect(200);
      expect(res.body.next_cursor).toBeNull();
      expect(res.body.items.map((e: Json) => e.event_id)).toEqual(timeline.map(idOf));
      expect(res.body.items[0]).toEqual(await record('o1'));
    });

    it('answers newest first with order=desc, and pages through with limit', async () => {
      const desc = await get('/events', { entity_id: CUST, order: 'desc' }).expect(200);
      expect(desc.body.items.map((e: Json) => e.event_id)).toEqual([...timeline].reverse().map(idOf));
      const paged = await pages('/events', { entity_id: CUST, limit: 2 });
      expect(paged.map((p) => p.map((e: Json) => e.event_id))).toEqual([
        [idOf('o1'), idOf('p1')],
        [idOf('o2'), idOf('o3')],
        [idOf('o5')],
      ]);
    });

    it('keeps to the occurred_at window and answers an empty window with no items', async () => {
      const res = await get('/events', { entity_id: CUST, from: ago(2.75 * HOUR), to: ago(HOUR) }).expect(
        200,
      );
      expect(res.body.items.map((e: Json) => e.event_id)).toEqual([idOf('p1'), idOf('o2')]);
      expect(
        (
          await get('/events', {
            entity_id: CUST,
            from: '2020-01-01T00:00:00Z',
            to: '2020-01-02T00:00:00Z',
          }).expect(200)
        ).body,
      ).toEqual({ items: [], next_cursor: null, stopped_early: false });
      expect((await get('/events', { entity_id: `nobody-${r}` }).expect(200)).body).toEqual({
        items: [],
        next_cursor: null,
        stopped_early: false,
      });
    });
  });

  describe('GET /events?source=', () => {
    const byArrival = async (names: string[]) => {
      const records = await Promise.all(names.map(record));
      return records
        .sort((a, b) => a.received_at.localeCompare(b.received_at) || a.event_id.localeCompare(b.event_id))
        .map((e) => e.event_id);
    };

    it('answers a source’s events by received_at (last 24 h by default), optionally of one type', async () => {
      const all = await get('/events', { source: ORDERS }).expect(200);
      expect(all.body.items.map((e: Json) => e.event_id)).toEqual(
        await byArrival(['o1', 'o2', 'o3', 'o4', 'o5']),
      );
      const created = await get('/events', { source: ORDERS, type: 'order.created' }).expect(200);
      expect(created.body.items.map((e: Json) => e.event_id)).toEqual(await byArrival(['o1', 'o4', 'o5']));
      const pay = await pages('/events', { source: PAY, limit: 3 });
      expect(pay.map((p) => p.length)).toEqual([3, 1]);
      expect(pay.flat().map((e: Json) => e.event_id)).toEqual(await byArrival(['p1', 'p2', 'p3', 'pdev']));
    });

    it('pages a type filter without losing or repeating events', async () => {
      const paged = await pages('/events', { source: ORDERS, type: 'order.created', limit: 1 });
      expect(paged.flat().map((e: Json) => e.event_id)).toEqual(await byArrival(['o1', 'o4', 'o5']));
      expect(paged.every((p) => p.length === 1)).toBe(true);
    });

    it('answers an empty window with no items', async () => {
      const res = await get('/events', {
        source: ORDERS,
        from: '2025-01-01T00:00:00Z',
        to: '2025-01-31T00:00:00Z',
      }).expect(200);
      expect(res.body).toEqual({ items: [], next_cursor: null, stopped_early: false });
    });

    it('refuses a window wider than 31 days with 400 QUERY.WINDOW_TOO_WIDE', async () => {
      const res = await get('/events', {
        source: ORDERS,
        from: '2025-01-01T00:00:00Z',
        to: '2025-02-01T00:00:01Z',
      }).expect(400);
      expect(res.body.error).toMatchObject({ code: 'QUERY.WINDOW_TOO_WIDE', details: { max_days: 31 } });
    });
  });

  describe('parameters', () => {
    it('needs exactly one of entity_id and source', async () => {
      for (const query of [{}, { entity_id: CUST, source: ORDERS }] as Record<string, string>[]) {
        const res = await get('/events', query).expect(400);
        expect(res.body.error.code).toBe('QUERY.VALIDATION_FAILED');
        expect(res.body.error.details.map((d: Json) => d.field)).toEqual(['entity_id', 'source']);
      }
    });

    it.each([
      [{ entity_id: 'x', limit: 0 }, 'limit'],
      [{ entity_id: 'x', limit: 1001 }, 'limit'],
      [{ entity_id: 'x', limit: 'ten' }, 'limit'],
      [{ entity_id: 'x', from: 'yesterday' }, 'from'],
      [{ entity_id: 'x', order: 'sideways' }, 'order'],
      [{ source: 'Bad Source' }, 'source'],
      [{ entity_id: 'x', colour: 'red' }, 'colour'],
    ])('answers 400 naming the bad parameter for %o', async (query, field) => {
      const res = await get('/events', query as Record<string, string>).expect(400);
      expect(res.body.error.code).toBe('REQUEST.VALIDATION_FAILED');
      expect(res.body.error.details.map((d: Json) => d.field)).toContain(field);
    });

    it('answers 400 for from after to, for order on a source and for a cursor it never gave', async () => {
      const window = await get('/events', { entity_id: CUST, from: ago(0), to: ago(HOUR) }).expect(400);
      expect(window.body.error).toMatchObject({
        code: 'QUERY.VALIDATION_FAILED',
        details: [{ field: 'from' }],
      });
      const order = await get('/events', { source: ORDERS, order: 'desc' }).expect(400);
      expect(order.body.error.details).toEqual([{ field: 'order', message: expect.any(String) }]);
      for (const path of ['/events', '/duplicates', '/gaps']) {
        const res = await get(path, { source: ORDERS, cursor: 'bm9wZQ' }).expect(400);
        expect(res.body.error.code).toBe('QUERY.INVALID_CURSOR');
      }
    });

    it('needs an investigator or operator key', async () => {
      await t.http().get('/stats').expect(401);
      const producer = await t.http().get('/stats').set(auth('producer')).expect(403);
      expect(producer.body.error.code).toBe('AUTH.FORBIDDEN');
      await t.http().get('/stats').set(auth('operator')).expect(200);
    });
  });

  describe('GET /stats', () => {
    it('answers one row per (source, type) over the last 24 h, worst first, with documented health', async () => {
      const res = await get('/stats', { source: ORDERS }).expect(200);
      expect(Date.parse(res.body.to) - Date.parse(res.body.from)).toBe(24 * HOUR);
      expect(res.body.counted_from <= res.body.from).toBe(true);
      const bytes = (...names: string[]) =>
        names.reduce((n, name) => n + Buffer.byteLength(sent[name].text), 0);
      const noLag = { p50: null, p95: null, p99: null, max: null };
      const anyLag = {
        p50: expect.any(Number),
        p95: expect.any(Number),
        p99: expect.any(Number),
        max: expect.any(Number),
      };
      expect(res.body.rows).toEqual([
        {
          source: ORDERS,
          type: 'order.created',
          received: 6,
          accepted: 3,
          duplicates: 1,
          conflicts: 1,
          rejected: 1,
          late: 1,
          future: 0,
          bytes: bytes('o1', 'o4', 'o5'),
          lag_ms: anyLag,
          duplicate_rate: 0.1667,
          late_rate: 0.3333,
          reject_rate: 0.1667,
          health: 'bad',
          health_reasons: [
            'duplicate_rate 0.1667 >= 0.05 (bad)',
            'late_rate 0.3333 >= 0.05 (bad)',
            'reject_rate 0.1667 >= 0.05 (bad)',
            'conflict_rate 0.1667 >= 0.01 (bad)',
          ],
        },
        {
          source: ORDERS,
          type: 'order.paid',
          received: 1,
          accepted: 1,
          duplicates: 0,
          conflicts: 0,
          rejected: 0,
          late: 1,
          future: 0,
          bytes: bytes('o2'),
          lag_ms: anyLag,
          duplicate_rate: 0,
          late_rate: 1,
          reject_rate: 0,
          health: 'bad',
          health_reasons: ['late_rate 1 >= 0.05 (bad)'],
        },
        {
          source: ORDERS,
          type: '~',
          received: 1,
          accepted: 0,
          duplicates: 0,
          conflicts: 0,
          rejected: 1,
          late: 0,
          future: 0,
          bytes: 0,
          lag_ms: noLag,
          duplicate_rate: 0,
          late_rate: 0,
          reject_rate: 1,
          health: 'bad',
          health_reasons: ['reject_rate 1 >= 0.05 (bad)'],
        },
        {
          source: ORDERS,
          type: 'order.shipped',
          received: 3,
          accepted: 1,
          duplicates: 2,
          conflicts: 0,
          rejected: 0,
          late: 0,
          future: 0,
          bytes: bytes('o3'),
          lag_ms: anyLag,
          duplicate_rate: 0.6667,
          late_rate: 0,
          reject_rate: 0,
          health: 'bad',
          health_reasons: ['duplicate_rate 0.6667 >= 0.05 (bad)'],
        },
      ]);
      // The 3-hour-old event is the largest lag; the histogram caps quantiles at it.
      const created = res.body.rows[0].lag_ms;
      expect(created.max).toBe((await record('o1')).lag_ms);
      expect(created.p99).toBeLessThanOrEqual(created.max);
      expect(created.p50).toBeLessThanOrEqual(created.p99);
    });

    it('covers every source without a filter, and answers an empty window with no rows', async () => {
      const all = await get('/stats').expect(200);
      expect(
        all.body.rows.map((row: Json) => [row.source, row.type, row.received, row.health]).sort(),
      ).toEqual(
        [
          [ORDERS, 'order.created', 6, 'bad'],
          [ORDERS, 'order.paid', 1, 'bad'],
          [ORDERS, 'order.shipped', 3, 'bad'],
          [ORDERS, '~', 1, 'bad'],
          [PAY, 'device.ping', 1, 'ok'],
          [PAY, 'payment.captured', 3, 'bad'],
          [SEQ, 'device.ping', 7, 'ok'],
          ['~', '~', 1, 'bad'],
        ].sort(),
      );
      const empty = await get('/stats', { from: '2020-01-01T00:00:00Z', to: '2020-01-01T05:30:00Z' }).expect(
        200,
      );
      expect(empty.body).toEqual({
        from: '2020-01-01T00:00:00.000Z',
        to: '2020-01-01T05:30:00.000Z',
        counted_from: '2020-01-01T00:00:00.000Z',
        counted_to: '2020-01-01T06:00:00.000Z',
        rows: [],
      });
    });
  });

  describe('GET /stats paged', () => {
    it('pages the same rows, in the same order, with limit and next_cursor', async () => {
      const all = (await get('/stats').expect(200)).body.rows as Json[];
      const paged: Json[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: Record<string, string | number> = cursor ? { limit: 3, cursor } : { limit: 3 };
        const res: { body: Json } = await get('/stats', query).expect(200);
        expect(res.body.rows.length).toBeLessThanOrEqual(3);
        paged.push(...res.body.rows);
        cursor = res.body.next_cursor;
        pages += 1;
      } while (cursor !== null && pages < 20);
      expect(pages).toBe(Math.ceil(all.length / 3));
      expect(paged).toEqual(all);
    });

    it('answers 400 for a cursor it did not make and for a limit out of range', async () => {
      const forged = Buffer.from(JSON.stringify({ p: 1 })).toString('base64url');
      const bad = await get('/stats', { cursor: forged }).expect(400);
      expect(bad.body.error.code).toBe('QUERY.INVALID_CURSOR');
      const wide = await get('/stats', { limit: 1001 }).expect(400);
      expect(wide.body.error.details).toEqual([expect.objectContaining({ field: 'limit' })]);
    });
  });

  describe('GET /late', () => {
    it('lists late arrivals of a source by received_at, and filters by min_lag_ms', async () => {
      const res = await get('/late', { source: ORDERS }).expect(200);
      expect(res.body).toEqual({
        items: [await record('o1'), await record('o2')],
        next_cursor: null,
        stopped_early: false,
      });
      const over = await get('/late', { source: ORDERS, min_lag_ms: 2.5 * HOUR }).expect(200);
      expect(over.body.items.map((e: Json) => e.event_id)).toEqual([idOf('o1')]);
      const paged = await pages('/late', { source: ORDERS, limit: 1 });
      expect(paged.map((p) => p.map((e: Json) => e.event_id))).toEqual([[idOf('o1')], [idOf('o2')]]);
      expect((await get('/late', { source: SEQ }).expect(200)).body).toEqual({
        items: [],
        next_cursor: null,
        stopped_early: false,
      });
    });

    it('needs a source', async () => {
      const res = await get('/late').expect(400);
      expect(res.body.error.details.map((d: Json) => d.field)).toContain('source');
    });
  });

  describe('GET /duplicates', () => {
    it('lists repeated events with counts and first/last times, and conflicts with both hashes', async () => {
      const [o3, o4, o5] = await Promise.all(['o3', 'o4', 'o5'].map(record));
      const dup = (e: Json) => ({
        event_id: e.event_id,
        source: e.source,
        type: e.type,
        entity_id: e.entity_id,
        occurred_at: e.occurred_at,
        received_at: e.received_at,
        payload_sha256: e.payload_sha256,
        duplicate_count: e.duplicate_count,
        first_duplicate_at: e.first_duplicate_at,
        last_duplicate_at: e.last_duplicate_at,
      });
      const res = await get('/duplicates', { source: ORDERS }).expect(200);
      expect(res.body).toEqual({
        source: ORDERS,
        from: expect.any(String),
        to: expect.any(String),
        items: [dup(o3), dup(o4)],
        conflicts: [
          {
            event_id: o5.event_id,
            source: ORDERS,
            type: 'order.created',
            entity_id: CUST,
            idempotency_key: `idem-${r}`,
            first_received_at: o5.received_at,
            received_at: expect.any(String),
            request_id: `o5-conflict-${r}`,
            key_id: KEY_IDS.producer,
            stored_payload_sha256: o5.payload_sha256,
            received_payload_sha256: sent.o5conflict.body.error.details.received_payload_sha256,
            rejected_s3_key: expect.stringMatching(/^rejected\//),
          },
        ],
        next_cursor: null,
        stopped_early: false,
      });
      expect(dup(o3)).toMatchObject({ duplicate_count: 2, first_duplicate_at: sent.o3dup1.body.received_at });
      expect(o5.payload_sha256).not.toBe(res.body.conflicts[0].received_payload_sha256);
    });

    it('pages both lists with one cursor', async () => {
      const first = await get('/duplicates', { source: ORDERS, limit: 1 }).expect(200);
      expect(first.body.items.map((e: Json) => e.event_id)).toEqual([idOf('o3')]);
      expect(first.body.conflicts.map((c: Json) => c.event_id)).toEqual([idOf('o5')]);
      expect(first.body.next_cursor).toEqual(expect.any(String));
      const second = await get('/duplicates', {
        source: ORDERS,
        limit: 1,
        cursor: first.body.next_cursor,
      }).expect(200);
      expect(second.body.items.map((e: Json) => e.event_id)).toEqual([idOf('o4')]);
      expect(second.body.conflicts).toEqual([]);
      expect(second.body.next_cursor).toBeNull();
      const none = await get('/duplicates', { source: PAY }).expect(200);
      expect(none.body).toMatchObject({ items: [], conflicts: [], next_cursor: null });
    });
  });

  describe('GET /rejected', () => {
    it('lists rejected submissions of a source with their errors and exact raw body', async () => {
      const res = await get('/rejected', { source: ORDERS }).expect(200);
      expect(res.body.next_cursor).toBeNull();
      expect(res.body.items).toEqual([
        {
          rejection_id: expect.any(String),
          source: ORDERS,
          received_at: expect.any(String),
          request_id: `o5-conflict-${r}`,
          key_id: KEY_IDS.producer,
          reason: 'conflict',
          errors: [{ field: 'idempotency_key', message: 'reused for an event with a different payload' }],
          errors_total: null,
          event_id: idOf('o5'),
          size_bytes: Buffer.byteLength(sent.o5conflict.text),
          s3_key: expect.stringMatching(/^rejected\//),
          raw: sent.o5conflict.text,
        },
        {
          rejection_id: expect.any(String),
          source: ORDERS,
          received_at: expect.any(String),
          request_id: `bad1-${r}`,
          key_id: KEY_IDS.producer,
          reason: 'validation',
          errors: sent.bad1.body.error.details,
          errors_total: null,
          event_id: null,
          size_bytes: Buffer.byteLength(sent.bad1.text),
          s3_key: expect.stringMatching(/^rejected\//),
          raw: sent.bad1.text,
        },
        expect.objectContaining({
          request_id: `bad2-${r}`,
          raw: sent.bad2.text,
          errors: sent.bad2.body.error.details,
        }),
      ]);
    });

    it('lists every source, unreadable ones too, without a source; pages; answers empty windows', async () => {
      const paged = await pages('/rejected', { limit: 2 });
      expect(paged.map((p) => p.length)).toEqual([2, 2]);
      expect(paged.flat().map((i: Json) => i.request_id)).toEqual([
        `o5-conflict-${r}`,
        `bad1-${r}`,
        `bad2-${r}`,
        `badjson-${r}`,
      ]);
      expect(paged[1][1]).toMatchObject({ source: null, raw: '{"source": "qa' });
      const empty = await get('/rejected', {
        from: '2025-01-01T00:00:00Z',
        to: '2025-01-02T00:00:00Z',
      }).expect(200);
      expect(empty.body).toEqual({ items: [], next_cursor: null, stopped_early: false });
    });
  });

  describe('GET /gaps', () => {
    it('finds a silent hour of a past day from the activity minutes, paging the gaps', async () => {
      const stats = t.app.get(IngestStatsStore);
      const day = new Date(T - 86_400_000).toISOString().slice(0, 10);
      const silent = (m: number) => (m >= 600 && m < 660) || (m >= 780 && m < 785);
      await stats.markActivity([
        { source: QUIET, day, minutes: Array.from({ length: 1440 }, (_, m) => m).filter((m) => !silent(m)) },
      ]);
      const window = { source: QUIET, from: `${day}T09:00:00Z`, to: `${day}T14:00:00Z` };
      const res = await get('/gaps', window).expect(200);
      expect(res.body).toEqual({
        source: QUIET,
        from: `${day}T09:00:00.000Z`,
        to: `${day}T14:00:00.000Z`,
        min_gap_minutes: 10,
        examined_minutes: 300,
        active_minutes: 235,
        items: [{ from: `${day}T10:00:00.000Z`, to: `${day}T11:00:00.000Z`, minutes: 60, open_end: false }],
        next_cursor: null,
      });
      const fine = await pages('/gaps', { ...window, min_gap_minutes: 5, limit: 1 });
      expect(fine).toEqual([
        [{ from: `${day}T10:00:00.000Z`, to: `${day}T11:00:00.000Z`, minutes: 60, open_end: false }],
        [{ from: `${day}T13:00:00.000Z`, to: `${day}T13:05:00.000Z`, minutes: 5, open_end: false }],
      ]);
    });

    it('sees today’s silence before the first event of a live source', async () => {
      const from = ago(30 * MIN);
      const res = await get('/gaps', { source: ORDERS, from }).expect(200);
      // Every request naming ORDERS marks its minute: accepted, duplicates, the conflict, bad rows.
      const rejected = (await get('/rejected', { source: ORDERS }).expect(200)).body.items;
      const received = [...ordersReceived, ...rejected.map((i: Json) => i.received_at as string)];
      const first = [...received].sort()[0];
      const minutes = new Set(received.map(floorMinute));
      expect(res.body.active_minutes).toBe(minutes.size);
      expect(res.body.items).toEqual([
        {
          from: floorMinute(from),
          to: floorMinute(first),
          minutes: (Date.parse(floorMinute(first)) - Date.parse(floorMinute(from))) / MIN,
          open_end: false,
        },
      ]);
    });

    it('reports a never-seen source as silent throughout, and refuses more than 7 days', async () => {
      const res = await get('/gaps', {
        source: `ghost-${r}`,
        from: '2026-01-01T00:00:00Z',
        to: '2026-01-01T01:00:00Z',
      }).expect(200);
      expect(res.body.items).toEqual([
        { from: '2026-01-01T00:00:00.000Z', to: '2026-01-01T01:00:00.000Z', minutes: 60, open_end: true },
      ]);
      const wide = await get('/gaps', {
        source: ORDERS,
        from: '2026-01-01T00:00:00Z',
        to: '2026-01-08T00:00:01Z',
      }).expect(400);
      expect(wide.body.error).toMatchObject({ code: 'QUERY.WINDOW_TOO_WIDE', details: { max_days: 7 } });
    });
  });

  describe('GET /entities/{entity_id}/sequence-gaps', () => {
    it('finds missing ranges, repeated and out-of-order numbers, and the next expected number', async () => {
      const s3 = await record('s3');
      const res = await get(`/entities/${DEV}/sequence-gaps`, { source: SEQ }).expect(200);
      expect(res.body).toEqual({
        entity_id: DEV,
        source: SEQ,
        truncated: false,
        events: 7,
        first_sequence: 1,
        last_sequence: 8,
        missing: [{ from: 5, to: 6, count: 2 }],
        missing_count: 2,
        repeated: [{ sequence: 7, event_ids: [idOf('s7'), idOf('s7b')] }],
        out_of_order: [{ sequence: 3, event_id: idOf('s3'), received_at: s3.received_at, after_sequence: 4 }],
        next_expected: 9,
      });
    });

    it('looks at one source only, and answers nulls where there is nothing to number', async () => {
      const pay = await get(`/entities/${DEV}/sequence-gaps`, { source: PAY }).expect(200);
      expect(pay.body).toMatchObject({ events: 1, first_sequence: 100, missing: [], next_expected: 101 });
      const none = await get(`/entities/${CUST}/sequence-gaps`, { source: ORDERS }).expect(200);
      expect(none.body).toMatchObject({ events: 0, first_sequence: null, next_expected: null });
      const noSource = await get(`/entities/${DEV}/sequence-gaps`).expect(400);
      expect(noSource.body.error.details.map((d: Json) => d.field)).toContain('source');
    });
  });

  describe('GET /docs-json', () => {
    it('serves the OpenAPI document without a key, covering every query endpoint', async () => {
      const res = await t.http().get('/docs-json').expect(200);
      expect(Object.keys(res.body.paths)).toEqual(
        expect.arrayContaining([
          '/events/{event_id}',
          '/events/{event_id}/attempts',
          '/events',
          '/stats',
          '/late',
          '/duplicates',
          '/gaps',
          '/entities/{entity_id}/sequence-gaps',
          '/rejected',
          '/rejected/{rejection_id}',
        ]),
      );
    });
  });
});
