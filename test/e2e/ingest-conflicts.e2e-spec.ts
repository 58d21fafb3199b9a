// An idempotency key reused for another event is a conflict whatever part of the identity changed, and
// a conflict's bytes are kept under rejected/ only: raw/ holds what the index points at, no more.
import { EventIndex } from '../../src/shared/events/event-index';
import { RawStore } from '../../src/shared/raw/raw-store';
import { WireEvent, wireEvent } from '../support/factories';
import { auth, startTestApp, TestApp } from '../support/test-app';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies

describe('idempotency conflicts', () => {
  let t: TestApp;
  let raw: RawStore;
  let index: EventIndex;
  const send = (path: string, text: string) =>
    t.http().post(path).set(auth('producer')).set('content-type', 'application/json').send(text);
  const post = (event: unknown) => send('/ingest', JSON.stringify(event));
  const batch = (events: unknown[]) => send('/ingest/batch', JSON.stringify({ events }));

  /** Every object under `prefix` with its bytes. */
  async function objects(prefix: string): Promise<Map<string, string>> {
    const keys = await raw.list(prefix);
    return new Map(
      await Promise.all(keys.map(async (k) => [k, (await raw.get(k)).toString('utf8')] as const)),
    );
  }

  beforeAll(async () => {
    t = await startTestApp('conflicts');
    raw = t.app.get(RawStore);
    index = t.app.get(EventIndex);
  });
  afterAll(() => t.close());

  it.each([
    ['type', { type: 'order.cancelled' }],
    ['entity_id', { entity_id: 'someone-else' }],
    ['occurred_at', { occurred_at: '2026-11-25T10:00:00.001Z' }],
    ['payload', { payload: { amount: 1 } }],
  ])('answers 409 when only %s differs, and keeps no object under raw/ for it', async (field, change) => {
    const source = `conf-${field.replace('_', '-')}-${Date.now()}`;
    const first = wireEvent({ source, idempotency_key: 'k-1', occurred_at: '2026-11-25T10:00:00.000Z' });
    const stored = await post(first).expect(201);
    const res = await post({ ...first, ...change }).expect(409);
    expect(res.body.error).toMatchObject({
      code: 'INGEST.IDEMPOTENCY_CONFLICT',
      message: expect.stringContaining(`a different ${field}`),
      details: { event_id: stored.body.event_id, differing_fields: [field] },
    });
    expect([...(await objects(`raw/source=${source}/`)).keys()]).toEqual([stored.body.s3_key]);
    expect(await index.getEvent(stored.body.event_id)).toMatchObject({ conflict_count: 1, type: first.type });
  });

  it('answers a duplicate, and keeps one object, when only formatting, sequence or schema version differ', async () => {
    const source = `dup-fmt-${Date.now()}`;
    const first = wireEvent({ source, idempotency_key: 'k-1' });
    const stored = await post(first).expect(201);
    await send('/ingest', JSON.stringify({ ...first, sequence: 3, schema_version: '2' }, null, 2)).expect(
      200,
    );
    await post(first).expect(200);
    const kept = await objects(`raw/source=${source}/`);
    expect([...kept.keys()]).toEqual([stored.body.s3_key]);
    expect(kept.get(stored.body.s3_key)).toBe(JSON.stringify(first));
  });

  it('keeps known idempotency keys of a batch out of its object, and writes none when all are known', async () => {
    const source = `batch-${Date.now()}`;
    const known = wireEvent({ source, idempotency_key: 'known' });
    await post(known).expect(201);
    const fresh = wireEvent({ source, idempotency_key: 'fresh' });
    const before = new Set(await raw.list('raw/batches/'));
    const res = await batch([fresh, { ...known, payload: { changed: true } }, known]).expect(200);
    expect(res.body.results.map((r: Json) => r.status)).toEqual(['accepted', 'conflict', 'duplicate']);
    const written = [...(await objects('raw/batches/'))].filter(([k]) => !before.has(k));
    expect(written.map(([, body]) => body)).toEqual([`${JSON.stringify(fresh)}\n`]);

    const again = new Set(await raw.list('raw/batches/'));
    const repeat = await batch([fresh, { ...known, type: 'other' }]).expect(200);
    expect(repeat.body.results.map((r: Json) => r.status)).toEqual(['duplicate', 'conflict']);
    expect(new Set(await raw.list('raw/batches/'))).toEqual(again);
  });

  it('leaves no conflicting bytes under raw/ when concurrent batches race for the same keys', async () => {
    const source = `race-${Date.now()}`;
    const sent: { event: WireEvent; result: Json }[] = [];
    for (let round = 0; round < 12; round++) {
      // Each batch: the round's contested key with a payload of its own, and in the first eight
      // rounds one item of its own (a lost batch is then rewritten, otherwise removed).
      const mk = (side: string) => [
        wireEvent({ source, idempotency_key: `contested-${round}`, payload: { side } }),
        ...(round < 8 ? [wireEvent({ source, idempotency_key: `own-${round}-${side}` })] : []),
      ];
      const batches = [mk('a'), mk('b'), mk('c')];
      const answers = await Promise.all(batches.map((events) => batch(events).expect(200)));
      answers.forEach((res, i) =>
        (res.body.results as Json[]).forEach((result) =>
          sent.push({ event: batches[i][result.index], result }),
        ),
      );
    }
    const statuses = sent.map((s) => s.result.status);
    expect(statuses.filter((s) => s === 'accepted')).toHaveLength(8 * 3 + 12);
    expect(statuses.filter((s) => s === 'conflict')).toHaveLength(12 * 2);

    const everything = [...(await objects('raw/')).values()].join('\n');
    for (const { event, result } of sent) {
      const bytes = JSON.stringify(event);
      if (result.status === 'conflict') {
        expect(everything).not.toContain(bytes);
        continue;
      }
      // Every accepted event reads back its own bytes, wherever its batch's object ended up.
      const stored = (await index.getEvent(result.event_id))!;
      expect((await raw.get(stored.s3_key, stored.s3_range)).toString('utf8')).toBe(bytes);
    }
  });
});
