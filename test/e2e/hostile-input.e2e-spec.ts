// Hostile input answered with the contract's errors: forged, edited and foreign cursors, deeply
// nested payloads and numbers no double can hold are 400s with stable codes, never 500s.
import { RejectedStore } from '../../src/shared/rejected/rejected-store';
import { aroundNow, wireEvent } from '../support/factories';
import { auth, startTestApp, TestApp } from '../support/test-app';

const nest = (depth: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
};

describe('hostile input', () => {
  let t: TestApp;
  const window = aroundNow();
  const get = (path: string, query: Record<string, string | number> = {}) =>
    t.http().get(path).query(query).set(auth('operator'));
  const send = (path: string, text: string, role: 'producer' | 'operator' = 'producer') =>
    t.http().post(path).set(auth(role)).set('content-type', 'application/json').send(text);

  const source = `hostile-${Date.now()}`;
  const entity = `ent-${Date.now()}`;
  let eventId: string;

  beforeAll(async () => {
    t = await startTestApp('hostile');
    const events = [
      ...Array.from({ length: 3 }, () => wireEvent({ source, entity_id: entity })),
      ...Array.from({ length: 3 }, () => wireEvent({ source, entity_id: `${entity}-other` })),
    ];
    const res = await send('/ingest/batch', JSON.stringify({ events })).expect(200);
    eventId = res.body.results[0].event_id as string;
  });
  afterAll(() => t.close());

  describe('cursors', () => {
    const invalid = (res: { status: number; body: { error: { code: string } } }) => {
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('QUERY.INVALID_CURSOR');
    };

    it('pages with the cursor the query made', async () => {
      const first = await get('/events', { entity_id: entity, limit: 2 }).expect(200);
      const next = await get('/events', {
        entity_id: entity,
        limit: 2,
        cursor: first.body.next_cursor,
      }).expect(200);
      expect(next.body.items).toHaveLength(1);
    });

    it('refuses a cursor of another entity, another source, another list or another window', async () => {
      const { next_cursor: cursor } = (await get('/events', { entity_id: entity, limit: 1 }).expect(200))
        .body;
      invalid(await get('/events', { entity_id: `${entity}-other`, limit: 1, cursor }));
      invalid(await get('/events', { entity_id: entity, limit: 1, cursor, order: 'desc' }));
      const bySource = (await get('/events', { source, limit: 1, ...window }).expect(200)).body.next_cursor;
      invalid(await get('/events', { source: `${source}-x`, limit: 1, ...window, cursor: bySource }));
      invalid(await get('/events', { source, limit: 1, from: window.from, cursor: bySource }));
      invalid(await get('/late', { source, limit: 1, ...window, cursor: bySource }));
      invalid(await get('/rejected', { source, limit: 1, ...window, cursor: bySource }));
      invalid(await get('/duplicates', { source, limit: 1, ...window, cursor: bySource }));
      invalid(await get('/gaps', { source, limit: 1, cursor: bySource }));
      invalid(await get('/replay', { limit: 1, cursor: bySource }));
    });

    it('refuses an edited cursor and the unsigned cursors older versions made', async () => {
      const { next_cursor: cursor } = (await get('/events', { entity_id: entity, limit: 1 }).expect(200))
        .body;
      const [body, mac] = (cursor as string).split('.');
      const state = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { s: { k: object } };
      state.s.k = { pk: 'EVT#x', sk: '#EVT', gsi1pk: 'ENT#someone', gsi1sk: 'x' };
      invalid(
        await get('/events', {
          entity_id: entity,
          cursor: `${Buffer.from(JSON.stringify(state)).toString('base64url')}.${mac}`,
        }),
      );
      const unsigned = Buffer.from(JSON.stringify({ p: 0, k: { pk: 1, sk: 2 } })).toString('base64url');
      invalid(await get('/events', { entity_id: entity, cursor: unsigned }));
      invalid(await get('/replay', { cursor: unsigned }));
      invalid(await get(`/events/${eventId}/attempts`, { cursor: unsigned }));
    });

    it('pages a default window ("the last day") from where its first page started', async () => {
      const pages: string[][] = [];
      let cursor: string | undefined;
      do {
        const res = await get('/events', { source, limit: 2, ...(cursor ? { cursor } : {}) }).expect(200);
        pages.push(res.body.items.map((e: { event_id: string }) => e.event_id));
        cursor = res.body.next_cursor ?? undefined;
      } while (cursor);
      expect(pages.flat()).toHaveLength(6);
    });
  });

  describe('deep and huge payloads', () => {
    it('answers 400 INGEST.PAYLOAD_TOO_DEEP past the payload depth limit, and keeps the row', async () => {
      const ok = await send(
        '/ingest',
        JSON.stringify(wireEvent({ source, payload: nest(32) as Record<string, unknown> })),
      );
      expect(ok.status).toBe(201);
      const deep = await send(
        '/ingest',
        JSON.stringify(wireEvent({ source, payload: nest(33) as Record<string, unknown> })),
      );
      expect(deep.status).toBe(400);
      expect(deep.body.error).toMatchObject({
        code: 'INGEST.PAYLOAD_TOO_DEEP',
        details: [{ field: `payload${'.a'.repeat(32)}`, message: expect.stringContaining('deeper than 32') }],
      });
      const rows = await t.app.get(RejectedStore).list(source, window, { limit: 10 });
      expect(rows.items).toHaveLength(1);
    });

    it('answers 400, not a stack overflow, for bodies nested tens of thousands deep', async () => {
      const deep = (n: number) => `{"source":"${source}","payload":${'{"a":'.repeat(n)}1${'}'.repeat(n)}}`;
      // Within the 256 KiB of a single event.
      const res = await send('/ingest', deep(40_000));
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('INGEST.PAYLOAD_TOO_DEEP');
      // In a batch only that item is refused.
      const batch = await send('/ingest/batch', `{"events":[${deep(40_000)}]}`).expect(200);
      expect(batch.body.results[0]).toMatchObject({
        status: 'rejected',
        error: { code: 'INGEST.PAYLOAD_TOO_DEEP' },
      });
      const replay = await send(
        '/replay',
        `{"filter":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
        'operator',
      );
      expect(replay.status).toBe(400);
      expect(replay.body.error.code).toBe('REQUEST.VALIDATION_FAILED');
      await t.http().get('/health/ready').expect(200);
    });

    it('rejects only the too-deep item of a batch', async () => {
      const res = await send(
        '/ingest/batch',
        JSON.stringify({
          events: [
            wireEvent({ source }),
            wireEvent({ source, payload: nest(40) as Record<string, unknown> }),
          ],
        }),
      ).expect(200);
      expect(res.body.results.map((r: { status: string }) => r.status)).toEqual(['accepted', 'rejected']);
      expect(res.body.results[1].error.code).toBe('INGEST.PAYLOAD_TOO_DEEP');
    });

    it('names a number no double can hold', async () => {
      const text = JSON.stringify(wireEvent({ source, payload: { price: 0 } })).replace(
        '"price":0',
        '"price":1e400',
      );
      const res = await send('/ingest', text).expect(400);
      expect(res.body.error).toMatchObject({
        code: 'INGEST.VALIDATION_FAILED',
        details: [
          {
            field: 'payload.price',
            message: '1e400 is beyond the range of a 64-bit float; send it as a string',
          },
        ],
      });
      const replay = await send('/replay', '{"reason":"x","rate_per_second":-1e999}', 'operator').expect(400);
      expect(replay.body.error.details).toEqual([
        { field: 'rate_per_second', message: 'rate_per_second is beyond the range of a 64-bit float' },
      ]);
    });
  });
});
