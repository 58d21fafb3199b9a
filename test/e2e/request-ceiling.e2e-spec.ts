// No request runs past its ceiling, and none keeps working for a client that left. DynamoDB is
// reached through a proxy that holds each answer for DELAY_MS: every Query is slow but within
// STORAGE_TIMEOUT_MS, so only the read budget's time, REQUEST_TIMEOUT_MS and the client can stop a
// long read. Storage calls are counted with the app's own metric.
import { startSlowProxy, SlowProxy } from '../support/slow-proxy';
import { pollUntil } from '../support/replay-messages';
import { auth, startTestApp, TestApp, testEnv } from '../support/test-app';

const DELAY_MS = 250;
const READ_MAX_MS = 1000;
const STORAGE_TIMEOUT_MS = 2000;
const REQUEST_TIMEOUT_MS = 3500;
/** Generous: this checks that the limits hold at all, not how fast the machine is. */
const MARGIN_MS = 2000;
const DAY_MS = 86_400_000;

describe('request ceiling and client cancellation', () => {
  let proxy: SlowProxy;
  let t: TestApp;
  const to = new Date().toISOString();
  const from = new Date(Date.now() - 30 * DAY_MS).toISOString();

  const storageCalls = async (outcome?: string): Promise<number> => {
    const text = (await t.http().get('/metrics').expect(200)).text;
    return [...text.matchAll(/^pipescope_storage_calls_total\{([^}]*)\} (\d+)/gm)]
      .filter((m) => m[1].includes('dependency="dynamodb"') && m[1].includes('operation="Query"'))
      .filter((m) => outcome === undefined || m[1].includes(`outcome="${outcome}"`))
      .reduce((sum, m) => sum + Number(m[2]), 0);
  };

  /** A dry run over 31 empty days: one slow Query per day, about 8 s in all without a limit. */
  const plan = (role: 'investigator' | 'operator' = 'investigator', since = from) =>
    t
      .http()
      .post('/replay')
      .set(auth(role))
      .send({ dry_run: true, filter: { source: 'nobody', from: since, to }, reason: 'how long' });
  /** A dry run over the last day only: one slow Query. */
  const quickPlan = (role: 'investigator' | 'operator') =>
    plan(role, new Date(Date.parse(to) - 3_600_000).toISOString());

  beforeAll(async () => {
    const dynamoPort = Number(new URL(testEnv('ceiling').AWS_ENDPOINT_URL_DYNAMODB!).port);
    proxy = await startSlowProxy(dynamoPort, 0);
    t = await startTestApp('ceiling', {
      AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${proxy.port}`,
      STORAGE_TIMEOUT_MS: String(STORAGE_TIMEOUT_MS),
      READ_MAX_MS: String(READ_MAX_MS),
      REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      READ_MAX_ROUND_TRIPS: '1000',
      READ_MAX_ITEMS: '1000000',
      PROCESSOR_ENABLED: 'false',
      // No background reader may query the table while the test counts Queries.
      REPLAY_POLL_MS: '600000',
      RECONCILE_POLL_MS: '600000',
      ALERTS_ENABLED: 'false',
      REPLAY_MAX_PLANS_PER_CALLER: '1',
    });
    proxy.delayMs = DELAY_MS;
  });

  afterAll(async () => {
    await t?.close();
    await proxy?.close();
  });

  it('answers a slow read with the page so far once READ_MAX_MS has passed', async () => {
    const started = Date.now();
    const res = await t
      .http()
      .get('/events')
      .query({ source: 'nobody', from, to })
      .set(auth('investigator'))
      .expect(200);
    const ms = Date.now() - started;
    expect(res.body).toMatchObject({ items: [], stopped_early: true });
    expect(res.body.next_cursor).not.toBeNull();
    expect(ms).toBeLessThan(READ_MAX_MS + STORAGE_TIMEOUT_MS + MARGIN_MS);
  });

  it('answers 503 REQUEST.TIMEOUT at REQUEST_TIMEOUT_MS and stops the work', async () => {
    const started = Date.now();
    const res = await plan();
    const ms = Date.now() - started;
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('REQUEST.TIMEOUT');
    expect(res.headers['retry-after']).toBe('1');
    expect(ms).toBeLessThan(REQUEST_TIMEOUT_MS + MARGIN_MS);
    await expectNoMoreQueries();
  });

  it('stops issuing storage calls once the client hangs up', async () => {
    const cancelledBefore = await storageCalls('cancelled');
    await expect(plan().timeout(4 * DELAY_MS)).rejects.toThrow(/timeout/i);
    const cancelled = await pollUntil(
      () => storageCalls('cancelled'),
      (n) => n > cancelledBefore,
      REQUEST_TIMEOUT_MS,
    );
    expect(cancelled).toBeGreaterThan(cancelledBefore);
    await expectNoMoreQueries();
  });

  it('runs one plan per caller at a time: another from the same caller is 429 with Retry-After', async () => {
    const before = await storageCalls();
    // supertest sends on then(): start the first plan now, and let it get going.
    const first = plan().then((res) => res);
    await pollUntil(
      () => storageCalls(),
      (n) => n > before,
      REQUEST_TIMEOUT_MS,
      50,
    );
    const refused = await plan();
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: 'REPLAY.TOO_MANY_PLANS', details: { max: 1 } });
    expect(refused.headers['retry-after']).toBe('5');
    await quickPlan('operator').expect(200);
    expect((await first).status).toBe(503);
    await quickPlan('investigator').expect(200);
  });

  /** The Query count holds still over several round-trip times (nothing is reading any more). */
  async function expectNoMoreQueries(): Promise<void> {
    await new Promise((r) => setTimeout(r, 2 * DELAY_MS));
    const settled = await storageCalls();
    await new Promise((r) => setTimeout(r, 6 * DELAY_MS));
    expect(await storageCalls()).toBe(settled);
  }
});
