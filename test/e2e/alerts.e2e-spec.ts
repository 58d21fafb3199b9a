// Silence alerting end to end: a source sends, stops, and two app instances on one table (one leader)
// fire exactly one alert to a webhook receiver run by the test; the source sends again and the alert
// resolves. Intervals are shortened so the test takes seconds.
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { MetricsService } from '../../src/shared/metrics/metrics.service';
import { pollUntil } from '../support/replay-messages';
import { auth, ingestOne, restartTestApp, startTestApp, TestApp } from '../support/test-app';

interface Notification {
  alert_id: string;
  status: 'firing' | 'resolved';
  source: string;
  rule: string;
  kind: string;
  summary: string;
  value: number;
  threshold: number;
  values: Record<string, unknown>;
  link: string;
  alert_link: string;
  resolved_at: string | null;
}

const SOURCE = 'beacon-svc';
const RULES = [
  // 3 seconds of silence; the baseline check is switched off because the source is seconds old.
  { name: 'quiet', kind: 'silence', minutes: 0.05, baseline_hours: 1, min_active_share: 0, clear_after: 2 },
];

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

describe('silence alerts', () => {
  let a: TestApp;
  let b: TestApp;
  let hook: Server;
  const received: Notification[] = [];
  let sent = 0;
  let sender: NodeJS.Timeout | undefined;

  const send = async (): Promise<void> => {
    sent += 1;
    await ingestOne(a, {
      source: SOURCE,
      type: 'beacon.ping',
      entity_id: 'beacon-1',
      occurred_at: new Date().toISOString(),
      payload: { n: sent },
    });
  };
  const startSending = () => {
    sender = setInterval(() => void send(), 200);
  };
  const stopSending = () => clearInterval(sender);
  const ofStatus = (status: string) => received.filter((n) => n.status === status);
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  beforeAll(async () => {
    hook = createServer((req, res) => {
      void bodyOf(req).then((body) => {
        received.push(JSON.parse(body) as Notification);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((done) => hook.listen(0, '127.0.0.1', done));
    const port = (hook.address() as AddressInfo).port;
    const env = {
      ALERTS_INTERVAL_MS: '300',
      ALERTS_WEBHOOK_URL: `http://127.0.0.1:${port}/hook`,
      ALERTS_RULES: JSON.stringify(RULES),
      ALERTS_LINK_BASE_URL: 'http://pipescope.test',
      PROCESSOR_ENABLED: 'false',
      METRICS_EMF_ENABLED: 'true',
    };
    a = await startTestApp('alerts', env);
    b = await restartTestApp(a.env);
  });

  afterAll(async () => {
    stopSending();
    await Promise.all([a?.close(), b?.close()]);
    await new Promise((done) => hook.close(done));
  });

  it('fires one alert when a source stops sending, with one leader among two instances', async () => {
    await send();
    startSending();
    await sleep(1500);
    stopSending();
    expect(received).toEqual([]);

    const firing = await pollUntil(
      async () => ofStatus('firing'),
      (f) => f.length > 0,
      15_000,
      100,
    );
    expect(firing).toHaveLength(1);
    expect(firing[0]).toMatchObject({
      status: 'firing',
      source: SOURCE,
      rule: 'quiet',
      kind: 'silence',
      threshold: 0.05,
      resolved_at: null,
      alert_link: `http://pipescope.test/alerts/${firing[0].alert_id}`,
    });
    expect(firing[0].value).toBeGreaterThanOrEqual(0.05);
    expect(firing[0].values).toMatchObject({ normally_active: true, last_received_at: expect.any(String) });
    expect(firing[0].link).toMatch(/^http:\/\/pipescope\.test\/gaps\?source=beacon-svc&from=.+&to=.+/);
    expect(firing[0].summary).toContain(`${SOURCE} sent nothing for`);

    // Many more evaluations on both instances: still that one notification.
    await sleep(2000);
    expect(received).toHaveLength(1);
    const list = await a.http().get('/alerts').set(auth('investigator')).expect(200);
    expect(list.body.open.map((x: { alert_id: string }) => x.alert_id)).toEqual([firing[0].alert_id]);
    expect(list.body.open[0]).toMatchObject({ status: 'firing', notified_firing_at: expect.any(String) });

    const leaders = await Promise.all(
      [a, b].map(async (t) => {
        const text = await t.app.get(MetricsService).prometheusText();
        return Number(/^pipescope_alerts_leader (\d)/m.exec(text)?.[1]);
      }),
    );
    expect(leaders.sort()).toEqual([0, 1]);
  });

  it('resolves the alert when the source sends again, and notifies once more', async () => {
    const lines: string[] = [];
    for (const t of [a, b]) t.app.get(MetricsService).emfSink = (line) => lines.push(line);
    startSending();
    const resolved = await pollUntil(
      async () => ofStatus('resolved'),
      (r) => r.length > 0,
      15_000,
      100,
    );
    stopSending();
    expect(ofStatus('firing')).toHaveLength(1);
    expect(resolved).toHaveLength(1);
    expect(resolved[0]).toMatchObject({
      alert_id: ofStatus('firing')[0].alert_id,
      status: 'resolved',
      source: SOURCE,
      resolved_at: expect.any(String),
      summary: `${SOURCE} is sending again (rule quiet)`,
    });
    expect(resolved[0].value).toBeLessThan(0.04);

    const id = resolved[0].alert_id;
    const one = await a.http().get(`/alerts/${id}`).set(auth('investigator')).expect(200);
    expect(one.body).toMatchObject({
      status: 'resolved',
      notified_firing_at: expect.any(String),
      notified_resolved_at: expect.any(String),
    });
    const list = await a.http().get('/alerts').set(auth('investigator')).expect(200);
    expect(list.body.open).toEqual([]);
    expect(list.body.items[0]).toMatchObject({ alert_id: id, status: 'resolved' });

    for (const t of [a, b]) t.app.get(MetricsService).flushEmf();
    const emf = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(emf).toContainEqual(
      expect.objectContaining({ source: SOURCE, rule: 'quiet', AlertFiring: expect.anything() }),
    );
    expect(emf).toContainEqual(
      expect.objectContaining({ rule: 'quiet', status: 'resolved', AlertTransitions: 1 }),
    );
  });

  it('shows and replaces the rules; bad rules are 400 naming the field; replacing needs an operator', async () => {
    const shown = await a.http().get('/alerts/rules').set(auth('investigator')).expect(200);
    expect(shown.body).toMatchObject({ origin: 'config', rules: [{ name: 'quiet', threshold: 0.05 }] });

    const bad = await a
      .http()
      .put('/alerts/rules')
      .set(auth('operator'))
      .send({ rules: [{ name: 'x', kind: 'silence' }] })
      .expect(400);
    expect(bad.body.error.code).toBe('ALERTS.VALIDATION_FAILED');
    expect(bad.body.error.details).toContainEqual(expect.objectContaining({ field: 'rules.0.minutes' }));
    const wrong = await a
      .http()
      .put('/alerts/rules')
      .set(auth('operator'))
      .send({ rules: [{ name: 'x', kind: 'lag_p99', threshold_ms: 10, threshold: 0.5 }] })
      .expect(400);
    expect(wrong.body.error.code).toBe('ALERTS.VALIDATION_FAILED');
    await a.http().put('/alerts/rules').set(auth('investigator')).send({ rules: [] }).expect(403);

    const put = await a
      .http()
      .put('/alerts/rules')
      .set(auth('operator'))
      .send({ rules: [{ name: 'rejects', kind: 'reject_rate', threshold: 0.1, source: SOURCE }] })
      .expect(200);
    expect(put.body).toMatchObject({
      origin: 'stored',
      rules: [{ name: 'rejects', source: SOURCE, threshold: 0.1 }],
    });
    const now = await b.http().get('/alerts/rules').set(auth('investigator')).expect(200);
    expect(now.body.origin).toBe('stored');

    await a.http().get('/alerts/00000000-0000-4000-8000-000000000000').set(auth('investigator')).expect(404);
    await a.http().get('/alerts/not-an-id').set(auth('investigator')).expect(404);
    await a.http().get('/alerts?limit=0').set(auth('investigator')).expect(400);
    await a.http().get('/alerts').set(auth('producer')).expect(403);
  });
});
