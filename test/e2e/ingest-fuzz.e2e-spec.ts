// Property: no body, however malformed, makes ingest answer 5xx (the emulators are up, so storage
// cannot be the excuse) or crash the process.
import fc from 'fast-check';
import { auth, startTestApp, TestApp } from '../support/test-app';

const field = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue(), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 3 }),
  fc.constantFrom('orders-svc', 'order.created', '2026-11-25T10:00:00Z', '2026-11-25T10:00:00+25:00', 'e-1'),
);

const nearEvent = fc.record(
  {
    source: field,
    type: field,
    entity_id: field,
    occurred_at: field,
    payload: fc.oneof(field, fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue(), { maxKeys: 4 })),
    idempotency_key: field,
    sequence: field,
    schema_version: field,
    __proto__: field,
  },
  { requiredKeys: [] },
);

const body = fc.oneof(
  nearEvent.map((e) => JSON.stringify(e)),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.string({ unit: 'binary' }),
  fc.constantFrom(
    '',
    '{',
    '{"__proto__":{"x":1}}',
    '{"constructor":{"prototype":{}}}',
    'null',
    '[]',
    '\u0000',
  ),
);

describe('ingest under fuzzed bodies', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('fuzz');
  });
  afterAll(() => t.close());

  it('never answers 5xx on POST /ingest', async () => {
    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        const res = await t
          .http()
          .post('/ingest')
          .set(auth('producer'))
          .set('content-type', 'application/json')
          .send(text);
        expect(res.status).toBeLessThan(500);
        expect(res.body.error?.code ?? res.body.status).toEqual(expect.any(String));
      }),
      { numRuns: 150 },
    );
  });

  it('never answers 5xx on POST /ingest/batch', async () => {
    const batch = fc.oneof(
      fc
        .array(fc.oneof(nearEvent, fc.jsonValue()), { minLength: 0, maxLength: 6 })
        .map((events) => JSON.stringify({ events })),
      body,
    );
    await fc.assert(
      fc.asyncProperty(batch, async (text) => {
        const res = await t
          .http()
          .post('/ingest/batch')
          .set(auth('producer'))
          .set('content-type', 'application/json')
          .send(text);
        expect(res.status).toBeLessThan(500);
      }),
      { numRuns: 100 },
    );
    await t.http().get('/health/live').expect(200);
  });
});
