// Reads follow the ingest contract: an entity_id ingest accepts (up to 256 characters, any printable
// text) works in every query, path and replay that takes one, and every time parameter refuses the
// impossible dates ingest refuses, with the same message.
import { waitForJob } from '../support/replay';
import { auth, startTestApp, TestApp } from '../support/test-app';

const DAY = '2026-11-21';
const WINDOW = { from: `${DAY}T00:00:00Z`, to: `${DAY}T23:59:59Z` };
// 256 characters, about 1,000 once URL-encoded: CJK, accents, slashes and @. (No characters beyond
// the BMP: the SQS emulator refuses them in message bodies, which real SQS accepts.)
const LONG_ENTITY = '中'.repeat(64) + 'é/'.repeat(32) + 'a@'.repeat(64);
const TOO_LONG = `${LONG_ENTITY}b`;
const OUT_OF_RANGE =
  'must fall between 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z once converted to UTC';
const IMPOSSIBLE = [
  ['2026-02-29T10:00:00Z', 'is not a real date-time'],
  ['2026-04-31T10:00:00Z', 'is not a real date-time'],
  ['2026-01-01T23:59:60Z', 'is not a real date-time'],
  ['0000-01-01T00:30:00+01:00', OUT_OF_RANGE],
  ['9999-12-31T23:30:00-01:00', OUT_OF_RANGE],
] as const;

describe('field rules shared by ingest and reads', () => {
  let t: TestApp;
  const enc = encodeURIComponent;
  const get = (path: string) => t.http().get(path).set(auth('investigator'));
  const ingest = (body: object) => t.http().post('/ingest').set(auth('producer')).send(body);
  const fields = (res: { body: { error: { details: { field: string; message: string }[] } } }) =>
    res.body.error.details.map((d) => `${d.field}: ${d.message}`);

  beforeAll(async () => {
    t = await startTestApp('fields', { REPLAY_POLL_MS: '200' });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('serves a 256-character entity_id everywhere: timeline, sequence gaps, replay, aggregates', async () => {
    expect([...LONG_ENTITY]).toHaveLength(256);
    const source = 'long-ids';
    for (const [sequence, minute] of [
      [1, '05'],
      [3, '10'],
    ] as const) {
      await ingest({
        source,
        type: 'order.created',
        entity_id: LONG_ENTITY,
        occurred_at: `${DAY}T10:${minute}:00Z`,
        sequence,
        payload: { sequence },
      }).expect(201);
    }

    const timeline = await get(`/events?entity_id=${enc(LONG_ENTITY)}`).expect(200);
    expect(timeline.body.items.map((e: { entity_id: string }) => e.entity_id)).toEqual([
      LONG_ENTITY,
      LONG_ENTITY,
    ]);
    const gaps = await get(`/entities/${enc(LONG_ENTITY)}/sequence-gaps?source=${source}`).expect(200);
    expect(gaps.body).toMatchObject({ entity_id: LONG_ENTITY, missing: [{ from: 2, to: 2 }] });

    const replay = await t
      .http()
      .post('/replay')
      .set(auth('operator'))
      .send({
        filter: { entity_id: LONG_ENTITY, ...WINDOW },
        reason: 'long entity ids',
        rate_per_second: 100,
      })
      .expect(202);
    const job = await waitForJob(t, replay.body.replay_id, (j) => j.processed === 2);
    expect(job).toMatchObject({ status: 'completed', matched: 2, processed: 2 });

    const key = `${LONG_ENTITY}@${DAY}T10`;
    const list = await get(`/aggregates?entity_id=${enc(LONG_ENTITY)}&from=${WINDOW.from}&to=${WINDOW.to}`);
    expect(list.status).toBe(200);
    expect(list.body.items.map((v: { key: string }) => v.key)).toEqual([key]);
    await get(`/aggregates/${enc(key)}`).expect(200);
    await get(`/aggregates/${enc(key)}/versions/1`).expect(200);
    await get(`/aggregates/${enc(key)}/diff?from=1&to=1`).expect(200);
  });

  it('refuses a 257-character entity_id in the body, the query and the path alike, naming it', async () => {
    const refused = await ingest({
      source: 'long-ids',
      type: 't',
      entity_id: TOO_LONG,
      occurred_at: `${DAY}T10:00:00Z`,
      payload: {},
    }).expect(400);
    expect(refused.body.error.details[0].field).toBe('entity_id');
    for (const path of [
      `/events?entity_id=${enc(TOO_LONG)}`,
      `/entities/${enc(TOO_LONG)}/sequence-gaps?source=long-ids`,
      `/aggregates?entity_id=${enc(TOO_LONG)}&from=${WINDOW.from}&to=${WINDOW.to}`,
    ]) {
      const res = await get(path).expect(400);
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual(['entity_id']);
    }
  });

  it.each(IMPOSSIBLE)('refuses %s as ingest does, in every window', async (value, why) => {
    const refused = await ingest({
      source: 'dates',
      type: 't',
      entity_id: 'e',
      occurred_at: value,
      payload: {},
    }).expect(400);
    expect(fields(refused)).toEqual([`occurred_at: occurred_at ${why}`]);
    const v = enc(value);
    for (const [path, field] of [
      [`/events?source=dates&from=${v}`, 'from'],
      [`/events?entity_id=e&to=${v}`, 'to'],
      [`/late?source=dates&from=${v}`, 'from'],
      [`/stats?to=${v}`, 'to'],
      [`/rejected?from=${v}`, 'from'],
      [`/aggregates?entity_id=e&from=${v}&to=${WINDOW.to}`, 'from'],
    ]) {
      const res = await get(path).expect(400);
      expect(fields(res)).toEqual([`${field}: ${field} ${why}`]);
    }
    const plan = await t
      .http()
      .post('/replay')
      .set(auth('investigator'))
      .send({ dry_run: true, filter: { source: 'dates', from: value, to: WINDOW.to }, reason: 'dates' })
      .expect(400);
    expect(fields(plan)).toEqual([`filter.from: from ${why}`]);
  });

  it('accepts real edge dates in windows: leap days and the first and last representable instants', async () => {
    await get(`/events?source=dates&from=2024-02-29T00:00:00Z&to=2024-03-01T00:00:00Z`).expect(200);
    await get(`/events?entity_id=e&from=0000-01-01T00:00:00Z&to=9999-12-31T23:59:59.999Z`).expect(200);
  });
});
