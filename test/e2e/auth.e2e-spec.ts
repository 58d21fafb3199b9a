import { wireEvent } from '../support/factories';
import { API_KEYS, auth, KEYS, startTestApp, TestApp } from '../support/test-app';

describe('auth', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('auth');
  });
  afterAll(() => t.close());

  it('answers 401 without a key and with an unknown key', async () => {
    const none = await t.http().post('/ingest').send(wireEvent()).expect(401);
    expect(none.body.error.code).toBe('AUTH.MISSING_KEY');
    const wrong = await t
      .http()
      .post('/ingest')
      .set('authorization', 'Bearer not-a-real-key-123456')
      .send(wireEvent())
      .expect(401);
    expect(wrong.body.error.code).toBe('AUTH.INVALID_KEY');
  });

  it('answers 403 for a valid key with the wrong role', async () => {
    const res = await t.http().post('/ingest').set(auth('investigator')).send(wireEvent()).expect(403);
    expect(res.body.error).toMatchObject({
      code: 'AUTH.FORBIDDEN',
      message: expect.stringContaining('producer'),
    });
    await t.http().post('/ingest').set(auth('operator')).send(wireEvent()).expect(403);
  });

  it('accepts the right role as a bearer token or as x-api-key', async () => {
    await t.http().post('/ingest').set(auth('producer')).send(wireEvent()).expect(201);
    await t.http().post('/ingest').set('x-api-key', KEYS.producer).send(wireEvent()).expect(201);
  });

  it('keeps health and metrics open', async () => {
    await t.http().get('/health/live').expect(200);
    await t.http().get('/metrics').expect(200);
  });
});

describe('auth switched off (local mode without API_KEYS)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('auth-off', { API_KEYS: '' });
  });
  afterAll(() => t.close());

  it('lets a caller without a key in', async () => {
    await t.http().post('/ingest').send(wireEvent()).expect(201);
  });
});

describe('metrics behind a key (METRICS_REQUIRE_KEY=true)', () => {
  const SCRAPER = 'metrics-key-0123456789';
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('auth-metrics', {
      METRICS_REQUIRE_KEY: 'true',
      API_KEYS: `${API_KEYS},metrics:${SCRAPER}`,
    });
  });
  afterAll(() => t.close());

  it('answers 401 without a key and 403 to a producer', async () => {
    const none = await t.http().get('/metrics').expect(401);
    expect(none.body.error.code).toBe('AUTH.MISSING_KEY');
    const producer = await t.http().get('/metrics').set(auth('producer')).expect(403);
    expect(producer.body.error.code).toBe('AUTH.FORBIDDEN');
  });

  it('serves a scraper key, an investigator and an operator, and keeps health open', async () => {
    const scraped = await t.http().get('/metrics').set('authorization', `Bearer ${SCRAPER}`).expect(200);
    expect(scraped.text).toContain('pipescope_http_request_duration_seconds');
    await t.http().get('/metrics').set(auth('investigator')).expect(200);
    await t.http().get('/metrics').set(auth('operator')).expect(200);
    await t.http().get('/health/live').expect(200);
  });

  it('gives the scraper key nothing else', async () => {
    const res = await t.http().get('/stats').set('x-api-key', SCRAPER).expect(403);
    expect(res.body.error.code).toBe('AUTH.FORBIDDEN');
  });
});
