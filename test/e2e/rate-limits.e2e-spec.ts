// Per-key rate limits: requests and events per second, 429 with Retry-After, counted as a metric, and
// replay plans charged the events they select.
import { wireEvent } from '../support/factories';
import { startTestApp, TestApp } from '../support/test-app';

const KEYS = {
  a: 'producer-a-0123456789abcdef',
  b: 'producer-b-0123456789abcdef',
  c: 'producer-c-0123456789abcdef',
  d: 'producer-d-0123456789abcdef',
  reader: 'reader-key-0123456789abcdef',
};
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const WINDOW = {
  from: new Date(Date.now() - 3_600_000).toISOString(),
  to: new Date(Date.now() + 3_600_000).toISOString(),
};

describe('rate limits', () => {
  let t: TestApp;
  const batch = (key: string, events: unknown[]) =>
    t
      .http()
      .post('/ingest/batch')
      .set(bearer(key))
      .set('content-type', 'application/json')
      .send(JSON.stringify({ events }));
  const plan = (source: string) =>
    t
      .http()
      .post('/replay')
      .set(bearer(KEYS.reader))
      .set('content-type', 'application/json')
      .send(JSON.stringify({ dry_run: true, reason: 'plan', filter: { source, ...WINDOW } }));

  beforeAll(async () => {
    t = await startTestApp('rate', {
      API_KEYS: [
        `a=producer:${KEYS.a}`,
        `b=producer:${KEYS.b}`,
        `c=producer:${KEYS.c}`,
        `d=producer:${KEYS.d}`,
        `reader=investigator:${KEYS.reader}`,
      ].join(','),
      RATE_LIMIT_REQUESTS_PER_S: '3',
      // A slow refill: the budget still holds one full batch, and after it a key waits 50 s.
      RATE_LIMIT_EVENTS_PER_S: '10',
      REPLAY_MAX_EVENTS: '2000',
      PROCESSOR_ENABLED: 'false',
    });
  });
  afterAll(() => t.close());

  it('answers 429 with Retry-After once a key goes over its requests per second, other keys unaffected', async () => {
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => t.http().get('/events?source=nothing').set(bearer(KEYS.reader))),
    );
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(3);
    const limited = answers.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(1);
    expect(limited[0].headers['retry-after']).toBe('1');
    expect(limited[0].body.error).toEqual({
      code: 'RATE_LIMITED',
      message: 'Key reader is over its limit of 3 requests per second; retry in 1 s',
      details: { key_id: 'reader', limit: 'requests', per_second: 3 },
    });
    await t.http().post('/ingest').set(bearer(KEYS.a)).send(wireEvent()).expect(201);
    const metrics = await t.http().get('/metrics').expect(200);
    expect(metrics.text).toMatch(/pipescope_rate_limited_total\{key_id="reader",limit="requests"\} [1-9]/);
  });

  it('answers 429 once a key goes over its events per second, storing nothing of the refused batch', async () => {
    await new Promise((r) => setTimeout(r, 1100));
    const source = `burst-${Date.now()}`;
    const one = Array.from({ length: 500 }, () => wireEvent({ source }));
    const two = Array.from({ length: 100 }, () => wireEvent({ source }));
    await batch(KEYS.a, one).expect(200);
    const refused = await batch(KEYS.a, two).expect(429);
    expect(refused.body.error.details).toEqual({ key_id: 'a', limit: 'events', per_second: 10 });
    // A hundred tokens at ten a second, after the first batch spent them all.
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(10);
    await new Promise((r) => setTimeout(r, 1100));
    const listed = await t
      .http()
      .get(`/events?source=${source}&limit=1000&from=${WINDOW.from}&to=${WINDOW.to}`)
      .set(bearer(KEYS.reader))
      .expect(200);
    expect(listed.body.items).toHaveLength(500);
    // Another key has its own budget.
    await batch(KEYS.c, two).expect(200);
  });

  it('charges a dry-run plan the events it selects, so the next plan waits', async () => {
    const source = `plan-${Date.now()}`;
    await new Promise((r) => setTimeout(r, 1100));
    // Two producer keys, each with its own budget of one batch.
    const history = () => Array.from({ length: 500 }, () => wireEvent({ source }));
    await batch(KEYS.b, history()).expect(200);
    await batch(KEYS.d, history()).expect(200);
    await new Promise((r) => setTimeout(r, 1100));
    // The plan starts on a budget of 500 and selects 1000: the key owes 500, some 50 s at ten a second.
    const first = await plan(source).expect(200);
    expect(first.body.matched).toBe(1000);
    const second = await plan(source).expect(429);
    expect(second.body.error.details).toMatchObject({ key_id: 'reader', limit: 'events' });
  });
});
