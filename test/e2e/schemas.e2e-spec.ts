import { RawStore } from '../../src/shared/raw/raw-store';
import { wireEvent } from '../support/factories';
import { auth, startTestApp, TestApp } from '../support/test-app';

const ORDER_V1 = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  required: ['amount', 'currency'],
  properties: { amount: { type: 'number', minimum: 0 }, currency: { type: 'string', pattern: '^[A-Z]{3}$' } },
};
/** Version "2" of the payload renamed amount to total. */
const ORDER_V2 = {
  type: 'object',
  required: ['total'],
  properties: { total: { type: 'integer' } },
};

describe('schemas per source and type', () => {
  let t: TestApp;
  let raw: RawStore;
  const source = `shop-${Date.now()}`;
  const type = 'order.created';
  const path = `/schemas/${source}/${type}`;
  const send = (event: object) =>
    t
      .http()
      .post('/ingest')
      .set(auth('producer'))
      .set('content-type', 'application/json')
      .send(JSON.stringify(event));
  const order = (payload: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    wireEvent({ source, type, payload, ...extra });

  beforeAll(async () => {
    t = await startTestApp('schemas');
    raw = t.app.get(RawStore);
  });
  afterAll(() => t.close());

  it('accepts events of a pair with no schema registered, as before', async () => {
    await send(order({ anything: ['goes'] })).expect(201);
  });

  it('registers a schema for an operator only, answering its version number', async () => {
    await t.http().put(path).set(auth('investigator')).send(ORDER_V1).expect(403);
    const res = await t.http().put(path).set(auth('operator')).send(ORDER_V1).expect(201);
    expect(res.body).toMatchObject({ source, type, version: 1, schema: ORDER_V1 });
    expect(res.body.schema_version).toBeUndefined();
  });

  it('rejects a violating event with a pointer into its payload and lists it in /rejected', async () => {
    const bad = order({ amount: 'ten', currency: 'EUR' });
    const res = await send(bad).expect(400);
    expect(res.body.error).toMatchObject({
      code: 'INGEST.SCHEMA_VIOLATION',
      details: [{ field: '/payload/amount', message: 'must be number' }],
    });

    const listed = await t.http().get(`/rejected?source=${source}`).set(auth('investigator')).expect(200);
    const row = listed.body.items.find((r: { raw: string }) => r.raw === JSON.stringify(bad));
    expect(row).toMatchObject({
      reason: 'schema',
      errors: [{ field: '/payload/amount', message: 'must be number' }],
    });
    // Kept under rejected/ with the body as received.
    const kept = JSON.parse((await raw.get(row.s3_key)).toString()) as { raw: string };
    expect(kept.raw).toBe(JSON.stringify(bad));

    const stats = await t.http().get(`/stats?source=${source}`).set(auth('investigator')).expect(200);
    expect(JSON.stringify(stats.body)).toMatch(/"rejected":1\b/);
  });

  it('accepts a valid event', async () => {
    await send(order({ amount: 12.5, currency: 'EUR' })).expect(201);
  });

  it('rejects only the failing items of a batch, each with its code and pointer', async () => {
    const events = [
      order({ amount: 1, currency: 'EUR' }),
      order({ currency: 'eur' }),
      order({ amount: 2, currency: 'USD' }),
      wireEvent({ source, type: 'order.paid', payload: { unchecked: true } }),
    ];
    const res = await t.http().post('/ingest/batch').set(auth('producer')).send({ events }).expect(200);
    expect(res.body).toMatchObject({ accepted: 3, rejected: 1, failed: 0 });
    expect(res.body.results[1]).toMatchObject({
      index: 1,
      status: 'rejected',
      error: { code: 'INGEST.SCHEMA_VIOLATION' },
    });
    expect(res.body.results[1].error.details).toEqual(
      expect.arrayContaining([
        { field: '/payload/amount', message: 'is required' },
        { field: '/payload/currency', message: 'must match pattern "^[A-Z]{3}$"' },
      ]),
    );
  });

  it('checks an event against the version registered for its schema_version, else the latest', async () => {
    const v2 = await t
      .http()
      .put(`${path}?schema_version=2`)
      .set(auth('operator'))
      .send(ORDER_V2)
      .expect(201);
    expect(v2.body).toMatchObject({ version: 2, schema_version: '2' });
    const v3 = await t
      .http()
      .put(`${path}?schema_version=1`)
      .set(auth('operator'))
      .send(ORDER_V1)
      .expect(201);
    expect(v3.body.version).toBe(3);

    await send(order({ total: 7 }, { schema_version: '2' })).expect(201);
    const old = await send(order({ amount: 1, currency: 'EUR' }, { schema_version: '2' })).expect(400);
    expect(old.body.error.details).toEqual([{ field: '/payload/total', message: 'is required' }]);
    await send(order({ amount: 1, currency: 'EUR' }, { schema_version: '1' })).expect(201);
    // No schema_version, or one never registered: the latest (version 3, ORDER_V1).
    await send(order({ amount: 1, currency: 'EUR' })).expect(201);
    await send(order({ total: 7 }, { schema_version: '9' })).expect(400);

    const got = await t.http().get(path).set(auth('investigator')).expect(200);
    expect(got.body).toMatchObject({ status: 'active', latest: { version: 3, schema: ORDER_V1 } });
    expect(got.body.versions.map((v: { version: number }) => v.version)).toEqual([3, 2, 1]);
    const list = await t.http().get('/schemas').set(auth('investigator')).expect(200);
    expect(list.body.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ source, type, latest: 3, status: 'active' })]),
    );
  });

  it('stops checking a retired pair and keeps its history', async () => {
    const res = await t.http().delete(path).set(auth('operator')).expect(200);
    expect(res.body).toMatchObject({ source, type, status: 'retired', latest: 3 });
    await send(order({ amount: 'anything' })).expect(201);
    const got = await t.http().get(path).set(auth('investigator')).expect(200);
    expect(got.body.status).toBe('retired');
    expect(got.body.versions).toHaveLength(3);
    await t.http().delete(`/schemas/${source}/never.registered`).set(auth('operator')).expect(404);

    // Registering again makes the pair active with the next version.
    const again = await t.http().put(path).set(auth('operator')).send(ORDER_V1).expect(201);
    expect(again.body.version).toBe(4);
    await send(order({ amount: 'anything' })).expect(400);
  });

  it.each([
    [{ type: 'object', propertys: {} }, /unknown keyword: "propertys"/],
    [{ type: 'numbr' }, /type/],
    [[1, 2], /a schema must be a JSON object/],
  ])('answers 400 SCHEMA.INVALID naming the problem of %j', async (schema, problem) => {
    const res = await t
      .http()
      .put(`/schemas/${source}/order.refunded`)
      .set(auth('operator'))
      .send(schema)
      .expect(400);
    expect(res.body.error.code).toBe('SCHEMA.INVALID');
    expect(res.body.error.message).toMatch(problem);
    await t.http().get(`/schemas/${source}/order.refunded`).set(auth('investigator')).expect(404);
  });

  it('answers 400 SCHEMA.VALIDATION_FAILED for a bad source', async () => {
    const res = await t.http().put('/schemas/Bad!Source/x').set(auth('operator')).send(ORDER_V1).expect(400);
    expect(res.body.error).toMatchObject({ code: 'SCHEMA.VALIDATION_FAILED' });
    expect(res.body.error.message).toMatch(/source/);
  });
});
