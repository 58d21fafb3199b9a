// The investigator console in a real browser (Debian chromium via playwright-core) against the whole
// app listening on a port, with data sent through the public API: each page must show what the API
// holds. One browser for the file; each test opens its own tab (its own session storage).
// Set PIPESCOPE_SCREENSHOTS=<dir> to save the screenshots used in docs/console.md.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { fmtMs } from '../../web/src/format';
import { Browser, launchBrowser, tableRows, watch, Watched } from '../support/browser';
import { seedConsoleData, Seeded } from '../support/console-seed';
import { auth, KEYS, listen, QUICK_PIPELINE, startTestApp, TestApp } from '../support/test-app';

const SHOTS = process.env.PIPESCOPE_SCREENSHOTS;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are untyped JSON
type Body = Record<string, any>;

describe('the investigator console', () => {
  let t: TestApp;
  let url: string;
  let browser: Browser;
  let seed: Seeded;
  let page: Page;
  let seen: Watched;

  const api = async (path: string) => (await t.http().get(path).set(auth('investigator')).expect(200)).body;
  const open = async (hash: string) => {
    await page.goto(`${url}/console/${hash}`);
  };
  const shot = async (name: string) => {
    if (!SHOTS) return;
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, `${name}.png`) });
  };
  const enterKey = async (key: string) => {
    await page.locator('#api-key').fill(key);
    await page.locator('#api-key').press('Enter');
  };
  /** Polls GET /replay/{id} until its messages are processed. */
  const replayed = async (id: string) => {
    for (
      const deadline = Date.now() + 60_000;
      Date.now() < deadline;
      await new Promise((r) => setTimeout(r, 250))
    ) {
      const job = await api(`/replay/${id}`);
      if (job.status === 'completed' && job.processed === job.matched) return job;
    }
    throw new Error(`replay ${id} did not finish`);
  };

  beforeAll(async () => {
    t = await startTestApp('console', QUICK_PIPELINE);
    url = await listen(t);
    seed = await seedConsoleData(url, KEYS.producer);
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  beforeEach(async () => {
    page = await browser.context.newPage();
    seen = watch(page);
  });
  afterEach(async () => {
    await page.close();
    // Nothing but this origin, the key never in a URL, no script error or CSP violation.
    expect(seen.requests.filter((r) => !r.startsWith(url))).toEqual([]);
    expect(seen.requests.filter((r) => r.includes(KEYS.operator) || r.includes('key-0123'))).toEqual([]);
    expect(seen.errors).toEqual([]);
  });

  it('asks for a key, says plainly when it is wrong, and keeps the right one for the tab', async () => {
    await open('');
    await page.getByText('An API key is needed').waitFor();
    await shot('key-needed');
    await enterKey('wrong-key-0123456789-0000');
    await page.getByText('The API key was refused').waitFor();
    await page.getByText('The service does not know this key. Enter a valid key.').waitFor();
    await enterKey(KEYS.operator);
    await page.locator('table[data-testid="sources"]').waitFor();
    expect(page.url()).not.toContain(KEYS.operator);
    expect(await page.evaluate('sessionStorage.getItem("pipescope.api_key")')).toBe(KEYS.operator);
    await page.getByRole('button', { name: 'Forget' }).click();
    await page.getByText('An API key is needed').waitFor();
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
  });

  const login = async (hash = '') => {
    await open(hash);
    await enterKey(KEYS.operator);
  };

  it('shows the /stats rows with health, reasons and a lag trend, and sorts them', async () => {
    await login();
    const rows = await tableRows(page, 'sources');
    const stats = await api('/stats');
    expect(rows.map((r) => [r.health, r.source, r.type])).toEqual(
      stats.rows.map((r: Record<string, string>) => [r.health, r.source, r.type]),
    );
    for (const [i, r] of stats.rows.entries()) {
      expect(rows[i]).toMatchObject({
        received: String(r.received),
        accepted: String(r.accepted),
        duplicates: String(r.duplicates),
        conflicts: String(r.conflicts),
        rejected: String(r.rejected),
        late: String(r.late),
        p50: fmtMs(r.lag_ms.p50),
        p99: fmtMs(r.lag_ms.p99),
        reasons: r.health_reasons.join('; ') || 'within thresholds',
      });
    }
    // What was sent: 43 created orders (3 repeats, 2 late, 1 bad row), 2 paid (1 conflict), 20 payments.
    const row = (type: string) => rows.find((r) => r.type === type);
    expect(row('order.created')).toMatchObject({ health: 'bad', accepted: '43', duplicates: '3', late: '2' });
    expect(row('order.paid')).toMatchObject({ health: 'bad', accepted: '2', conflicts: '1' });
    expect(row('payment.captured')).toMatchObject({
      health: 'ok',
      accepted: '20',
      reasons: 'within thresholds',
    });

    // The trend is the p99 of each hour the API counted.
    const hours = [0, 1].map((h) => {
      const start = Math.floor(Date.now() / 3_600_000 - h) * 3_600_000;
      return `/stats?source=payments&from=${new Date(start).toISOString()}&to=${new Date(start + 3_599_999).toISOString()}`;
    });
    const p99s = (await Promise.all(hours.map(api))).flatMap((s) => s.rows.map((r: Body) => r.lag_ms.p99));
    const spark = page.locator('tr', { hasText: 'payment.captured' }).locator('svg.spark');
    await spark.waitFor();
    expect(await spark.getAttribute('aria-label')).toContain(`highest ${fmtMs(Math.max(...p99s))}`);
    await shot('sources');

    await page.getByRole('button', { name: 'Accepted' }).click();
    const desc = (await tableRows(page, 'sources')).map((r) => Number(r.accepted));
    expect(desc).toEqual([...desc].sort((a, b) => b - a));
    await page.getByRole('button', { name: 'Accepted' }).click();
    const asc = (await tableRows(page, 'sources')).map((r) => Number(r.accepted));
    expect(asc).toEqual([...asc].sort((a, b) => a - b));

    // Keyboard: r opens the replays page.
    await page.locator('h1').click();
    await page.keyboard.press('r');
    await page.getByRole('heading', { name: 'Replays', level: 1 }).waitFor();
  });

  it('shows a source: its types, hourly figures, silences, late events, repeats, conflicts, bad rows', async () => {
    await login('#/sources/orders-svc?w=24h');
    const types = await tableRows(page, 'source-types');
    const stats = await api('/stats?source=orders-svc');
    expect(types.map((r) => [r.type, r.received, r.rejected])).toEqual(
      stats.rows.map((r: Body) => [r.type, String(r.received), String(r.rejected)]),
    );
    await page.locator('.chart canvas').first().waitFor();
    expect(await page.locator('.chart').count()).toBe(2);

    const gaps = await api('/gaps?source=orders-svc');
    await page.getByTestId('gap-summary').waitFor();
    expect(await page.getByTestId('gap-summary').textContent()).toMatch(
      new RegExp(`^${gaps.items.length} silent stretch(es)? of 10\\+ minutes`),
    );
    expect(await page.locator('.band-gap').count()).toBe(gaps.items.length);

    const late = await tableRows(page, 'late');
    expect(late.map((r) => r.event).sort()).toEqual([...seed.late].sort());
    expect(late.map((r) => r.lag)).toEqual([
      expect.stringMatching(/^2[01] min \d+ s$/),
      expect.stringMatching(/^2[01] min \d+ s$/),
    ]);

    const dups = await tableRows(page, 'duplicates');
    expect(dups.map((r) => [r.event, r.count]).sort()).toEqual(
      [
        [seed.ids.seq1, '2'],
        [seed.ids.order0, '1'],
      ].sort(),
    );
    expect(await tableRows(page, 'conflicts')).toEqual([
      expect.objectContaining({ event: seed.ids.keyed, key: 'checkout-1' }),
    ]);
    const rejected = await tableRows(page, 'rejected');
    expect(rejected.map((r) => [r.reason, r.errors]).sort()).toEqual(
      [
        ['conflict', 'idempotency_key: reused for an event with a different payload'],
        ['validation', 'entity_id: entity_id is required'],
        ['validation', 'type: type must not contain whitespace'],
      ].sort(),
    );

    // The hourly numbers behind the lag chart are the API's, hour by hour.
    await page.getByText('lag per hour: the numbers').click();
    const hourly = (await tableRows(page, 'lag per hour')).filter((r) => r['1'] !== '–');
    const hour = hourly[hourly.length - 1]['0'].replace(' ', 'T').replace(':00', ':00:00Z');
    const one = await api(
      `/stats?source=orders-svc&from=${hour}&to=${hour.replace(':00:00Z', ':59:59.999Z')}`,
    );
    // The chart shows the first (worst) type of the source.
    const chosen = stats.rows.find((r: Body) => r.type !== '~').type;
    await page.getByRole('heading', { name: `Lag per hour, type ${chosen}` }).waitFor();
    const inHour = one.rows.find((r: Body) => r.type === chosen);
    expect(hourly[hourly.length - 1]).toMatchObject({
      '1': fmtMs(inHour.lag_ms.p50),
      '3': fmtMs(inHour.lag_ms.p99),
    });
    await page.evaluate('window.scrollTo(0, 0)');
    await shot('source');
  });

  it('shows an entity timeline with repeats, a reused and missing sequence numbers, and opens an event', async () => {
    await login(`#/entities/${seed.entity}`);
    await page.getByTestId('timeline').waitFor();
    const rows = await page.locator('[data-testid="timeline"] tbody tr').allTextContents();
    expect(rows).toHaveLength(7);
    expect(rows[4]).toBe('⚠ sequence 4–5 missing (2) from source orders-svc');
    const events = await page.locator('[data-testid="timeline"] tbody tr.clickable').evaluateAll((trs) =>
      trs.map((tr) => ({
        seq: tr.children[4].textContent,
        marks: tr.children[6].textContent,
        id: tr.children[7].textContent,
      })),
    );
    expect(events.map((e) => e.seq)).toEqual(['1', '2', '3', '3', '6', '7']);
    expect(events[0]).toEqual({ seq: '1', marks: 'duplicate ×2', id: seed.ids.seq1 });
    expect(events[2].marks).toBe('sequence reused');
    expect(events[3].marks).toBe('sequence reused');
    expect(new Set([events[2].id, events[3].id])).toEqual(new Set([seed.ids.seq3, seed.ids.seq3b]));
    expect(await page.getByTestId('timeline-summary').textContent()).toContain(
      '6 events · 1 with duplicates · 0 with conflicts · 2 sequence numbers missing',
    );
    await shot('entity');
    await page.locator('tr.clickable', { hasText: seed.ids.seq6 }).click();
    await page.waitForURL(`**/#/events/${seed.ids.seq6}`);
    await page.getByRole('heading', { name: 'Index fields' }).waitFor();
  });

  it('shows an event: index fields, the raw event pretty and byte for byte, and its attempts', async () => {
    await login(`#/events/${seed.ids.seq1}`);
    const event = await api(`/events/${seed.ids.seq1}`);
    await page.getByTestId('raw-pretty').waitFor();
    expect(await page.getByTestId('raw-pretty').textContent()).toBe(
      JSON.stringify(JSON.parse(event.raw), null, 2),
    );
    await page.getByRole('button', { name: 'Exact bytes' }).click();
    expect(await page.getByTestId('raw-exact').textContent()).toBe(event.raw);
    await page.getByText(`Download exact bytes (${Buffer.byteLength(event.raw)} B)`).waitFor();
    for (const [field, value] of [
      ['source', 'orders-svc'],
      ['entity_id', seed.entity],
      ['sequence', '1'],
      ['payload_sha256', event.payload_sha256],
      ['duplicates', '2'],
    ]) {
      expect(await page.locator(`[data-field="${field}"] dd`).textContent()).toBe(value);
    }
    expect((await tableRows(page, 'attempts')).map((r) => [r.kind, r.same])).toEqual([
      ['first', 'yes'],
      ['duplicate', 'yes'],
      ['duplicate', 'yes'],
    ]);
    await page.getByText('No aggregate version includes this event yet').waitFor();
  });

  it('plans a replay, runs it to 100% processed, lists it, and cancels another', async () => {
    await login('#/replays');
    const minute = (ms: number) => new Date(Math.floor(ms / 60_000) * 60_000).toISOString().slice(0, 16);
    const from = minute(Date.now() - 3_600_000);
    const to = minute(Date.now() + 3_600_000);
    await page.locator('input[name="selector-value"]').fill('orders-svc');
    await page.locator('input[name="from"]').fill(from);
    await page.locator('input[name="to"]').fill(to);
    await page.locator('input[name="reason"]').fill('console e2e');
    await page.locator('input[name="rate"]').fill('500');
    await page.getByRole('button', { name: 'Plan (dry run)' }).click();
    await page.getByTestId('plan').waitFor();
    const plan = (
      await t
        .http()
        .post('/replay')
        .set(auth('operator'))
        .send({
          filter: { source: 'orders-svc', from: `${from}:00Z`, to: `${to}:00Z` },
          reason: 'x',
          dry_run: true,
        })
        .expect(200)
    ).body;
    expect(plan.matched).toBe(45);
    expect(await page.locator('[data-testid="plan"] [data-field="matched"] dd').textContent()).toBe('45');
    expect((await tableRows(page, 'plan-breakdown')).map((r) => [r.type, r.count])).toEqual(
      plan.by_source_type.map((r: Body) => [r.type, String(r.count)]),
    );
    await shot('replay-plan');

    await page.getByRole('button', { name: 'Start replay' }).click();
    await page.waitForURL(/#\/replays\/[0-9a-f-]{36}$/);
    const id = page.url().split('/').pop() as string;
    await page.locator('[role="progressbar"][aria-valuenow="100"]').waitFor({ timeout: 60_000 });
    await page.locator('[data-testid="job"][data-status="completed"]').waitFor();
    expect(await page.locator('[data-field="processed"]').textContent()).toBe('45 (100%)');
    expect(await page.locator('[data-field="sent"]').textContent()).toBe('45');
    const history = await tableRows(page, 'history');
    expect(history[0]).toMatchObject({
      status: 'completed',
      reason: 'console e2e',
      matched: '45',
      processed: '45',
    });
    await shot('replay-done');
    expect(await api(`/replay/${id}`)).toMatchObject({ processed: 45, failed: 0 });

    // A slow one (1 message a second), cancelled from the page.
    await page.locator('input[name="rate"]').fill('1');
    await page.locator('input[name="reason"]').fill('to be cancelled');
    await page.getByRole('button', { name: 'Plan (dry run)' }).click();
    await page.getByTestId('plan').waitFor();
    await page.getByRole('button', { name: 'Start replay' }).click();
    await page.waitForURL((u) => !u.href.endsWith(id));
    await page.getByRole('button', { name: 'Cancel replay' }).click();
    await page.locator('[data-testid="job"][data-status="cancelled"]').waitFor();
    const cancelled = await api(`/replay/${page.url().split('/').pop()}`);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.sent).toBeLessThan(45);
  });

  it('shows aggregate buckets, their versions, the diff between two, and the lineage', async () => {
    const fed = await api(`/events/${seed.ids.seq1}/aggregates`);
    expect(fed.items).toHaveLength(1); // replayed by the test before
    const key: string = fed.key;
    // A late event in the same bucket, replayed alone: version 2 of that bucket.
    const seq1 = await api(`/events/${seed.ids.seq1}`);
    const late = await t
      .http()
      .post('/ingest')
      .set(auth('producer'))
      .send({
        source: 'orders-svc',
        type: 'order.refunded',
        entity_id: seed.entity,
        occurred_at: seq1.occurred_at,
        payload: { late: 1 },
      })
      .expect(201);
    const replay = await t
      .http()
      .post('/replay')
      .set(auth('operator'))
      .send({ filter: { event_ids: [late.body.event_id] }, reason: 'late event' })
      .expect(202);
    await replayed(replay.body.replay_id);
    const v = await api(`/aggregates/${encodeURIComponent(key)}`);
    expect(v.versions.map((x: Body) => x.version)).toEqual([1, 2]);

    await login(`#/aggregates?entity=${seed.entity}&w=24h`);
    const buckets = await tableRows(page, 'buckets');
    expect(buckets.find((b) => b.key === key)).toMatchObject({
      version: '2',
      count: String(v.latest.value.count),
    });
    await page.getByRole('link', { name: key }).click();
    const versions = await tableRows(page, 'versions');
    expect(versions.map((r) => [r.version, r.count])).toEqual(
      v.versions.map((x: Body) => [String(x.version), String(x.value.count)]),
    );
    const changes = await tableRows(page, 'diff-changes');
    expect(changes).toContainEqual({
      field: 'count',
      from: String(v.versions[0].value.count),
      to: String(v.versions[1].value.count),
    });
    expect(changes).toContainEqual({ field: 'by_type.order.refunded', from: '0', to: '1' });
    expect(await page.getByTestId('diff').textContent()).toContain(`Inputs added: ${late.body.event_id}`);
    const lineage = await page.locator('[data-testid="lineage"] ol.ids li').allTextContents();
    expect(lineage).toEqual((await api(`/aggregates/${encodeURIComponent(key)}/versions/2`)).input_event_ids);
    expect(lineage).toContain(late.body.event_id);
    await shot('aggregates');

    // The event page now lists both versions the event fed.
    await open(`#/events/${seed.ids.seq1}`);
    expect((await tableRows(page, 'event-aggregates')).map((r) => r.version)).toEqual(['1', '2']);
    await page.evaluate('window.scrollTo(0, 0)');
    await shot('event');
  });
});
