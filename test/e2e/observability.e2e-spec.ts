// What a platform's own tools see of the real process (node dist/src/main.js, aws mode against the
// test emulators): `promtool check metrics` on /metrics after ingest, replay and processing; EMF lines
// on stdout checked against the schema written from the specification; request logs without keys
// from the query string; replay work logged under its replay, not under the request that woke it.
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { freePort, LOCAL_CREDENTIALS } from '../../src/shared/local/local-stack';
import { emfProblems } from '../support/emf-schema';
import { wireEvent } from '../support/factories';
import { API_KEYS, KEY_IDS, KEYS, testStorage } from '../support/test-app';

const MAIN = join(__dirname, '../../dist/src/main.js');
const r = randomBytes(3).toString('hex');
const SOURCE = `obs-${r}`;
/** A small cap, so a few hundred types show the bound through the whole app. */
const MAX_SERIES = 50;

type Line = Record<string, unknown>;

/** Runs promtool on `text`; its exit code and everything it printed. */
function promtool(text: string): Promise<{ code: number | null; output: string }> {
  return new Promise((done, fail) => {
    const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (output += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (output += c));
    child.once('error', (err) =>
      fail(new Error(`promtool not found (${err.message}): install Debian's prometheus package`)),
    );
    child.once('close', (code) => done({ code, output }));
    child.stdin.end(text);
  });
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 200));
  }
}

describe('the running process, through the tools a platform uses', () => {
  let child: ChildProcess;
  let base: string;
  let stdout = '';
  const lines = (): Line[] =>
    stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Line);

  const call = (path: string, init: RequestInit & { key?: keyof typeof KEYS } = {}) =>
    fetch(`${base}${path}`, {
      ...init,
      headers: {
        'content-type': 'application/json',
        ...(init.key ? { authorization: `Bearer ${KEYS[init.key]}` } : {}),
        ...(init.headers as Record<string, string>),
      },
    });

  /** Replays the last day of SOURCE; the replay's id. */
  const replay = async (reason: string, headers: Record<string, string> = {}): Promise<string> => {
    const window = {
      from: new Date(Date.now() - 86_400_000).toISOString(),
      to: new Date(Date.now() + 60_000).toISOString(),
    };
    const created = await call('/replay', {
      method: 'POST',
      key: 'operator',
      headers,
      body: JSON.stringify({ filter: { source: SOURCE, ...window }, rate_per_second: 1000, reason }),
    });
    expect(created.status).toBe(202);
    return ((await created.json()) as { replay_id: string }).replay_id;
  };

  beforeAll(async () => {
    const env = await testStorage('obs');
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        PIPESCOPE_MODE: 'aws',
        AWS_REGION: env.AWS_REGION,
        AWS_ENDPOINT_URL_S3: env.AWS_ENDPOINT_URL_S3,
        AWS_ENDPOINT_URL_DYNAMODB: env.AWS_ENDPOINT_URL_DYNAMODB,
        AWS_ENDPOINT_URL_SQS: env.AWS_ENDPOINT_URL_SQS,
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        S3_FORCE_PATH_STYLE: 'true',
        PIPESCOPE_BUCKET: env.PIPESCOPE_BUCKET,
        PIPESCOPE_TABLE: env.PIPESCOPE_TABLE,
        PIPESCOPE_QUEUE: env.PIPESCOPE_QUEUE,
        API_KEYS,
        LOG_LEVEL: 'info',
        HOST: '127.0.0.1',
        PORT: String(port),
        METRICS_FLUSH_MS: '1000',
        METRICS_EMF_ENABLED: 'true',
        METRICS_MAX_SERIES: String(MAX_SERIES),
        REPLAY_POLL_MS: '500',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    await until('the ready line', async () => (stdout.includes('"op":"ready"') ? true : undefined), 60_000);
  });

  afterAll(async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGTERM');
    await exited;
  });

  it('serves /metrics that promtool check metrics accepts, after ingest, replay and processing', async () => {
    const events = Array.from({ length: 12 }, (_, i) =>
      wireEvent({ source: SOURCE, type: i % 2 ? 'order.créé' : 'order.paid' }),
    );
    expect(
      (await call('/ingest', { method: 'POST', key: 'producer', body: JSON.stringify(events[0]) })).status,
    ).toBe(201);
    const batch = await call('/ingest/batch', {
      method: 'POST',
      key: 'producer',
      body: JSON.stringify({ events }),
    });
    expect(batch.status).toBe(200);
    const rejected = { ...wireEvent({ source: SOURCE }), type: 'has space' };
    expect(
      (await call('/ingest', { method: 'POST', key: 'producer', body: JSON.stringify(rejected) })).status,
    ).toBe(400);
    const replayId = await replay('promtool');
    await until('the replay to complete', async () => {
      const job = (await (await call(`/replay/${replayId}`, { key: 'investigator' })).json()) as {
        status: string;
      };
      return job.status === 'completed' ? job : undefined;
    });
    const text = await until('the processor metrics', async () => {
      const body = await (await call('/metrics')).text();
      return /pipescope_processor_messages_total\{outcome="versioned"\} [1-9]/.test(body) ? body : undefined;
    });
    for (const family of [
      'pipescope_events_total',
      'pipescope_ingest_lag_seconds',
      'pipescope_http_request_duration_seconds',
      'pipescope_replay_messages_total',
      'pipescope_replay_duration_seconds',
      'pipescope_replays_running',
      'pipescope_replay_manifest_cache_bytes',
      'pipescope_processor_messages_total',
      'pipescope_processor_versions_total',
      'pipescope_processor_batch_duration_seconds',
      'pipescope_process_cpu_seconds_total',
    ])
      expect(text).toContain(`# TYPE ${family} `);
    expect(await promtool(text)).toEqual({ code: 0, output: '' });
  });

  it(`keeps /metrics to ${MAX_SERIES} label sets per metric however many types clients invent`, async () => {
    const events = Array.from({ length: 300 }, (_, i) =>
      wireEvent({ source: SOURCE, type: `invented.${i}` }),
    );
    const res = await call('/ingest/batch', {
      method: 'POST',
      key: 'producer',
      body: JSON.stringify({ events }),
    });
    expect(res.status).toBe(200);
    const text = await (await call('/metrics')).text();
    const series = text.split('\n').filter((l) => l.startsWith('pipescope_events_total{'));
    // The cap, plus the overflow sets: `other` with each outcome seen.
    expect(series.length).toBeLessThanOrEqual(MAX_SERIES + 5);
    expect(series).toContainEqual(
      expect.stringMatching(/^pipescope_events_total\{source="other",type="other",outcome="accepted"\} \d+$/),
    );
    expect(await promtool(text)).toEqual({ code: 0, output: '' });
  });

  it('writes EMF lines on stdout that follow the specification', async () => {
    const emf = await until('EMF lines', async () => {
      const found = stdout.split('\n').filter((l) => l.startsWith('{"_aws"'));
      return found.some((l) => l.includes('IngestLag')) ? found : undefined;
    });
    expect(emf.map(emfProblems)).toEqual(emf.map(() => []));
    // The non-ASCII type reaches CloudWatch percent-encoded.
    expect(emf.join('\n')).toContain('"type":"order.cr%C3%A9%C3%A9"');
  });

  it('never logs a key sent in the query string', async () => {
    const leaked = `leaked-${r}-0123456789abcdef`;
    const requestId = `obs-leak-${r}`;
    const res = await call(`/stats?source=${SOURCE}&api_key=${leaked}&token=${leaked}`, {
      key: 'investigator',
      headers: { 'x-request-id': requestId },
    });
    expect(res.status).toBe(400);
    const logged = await until('the request log line', async () =>
      lines().find((l) => l.request_id === requestId && l.req !== undefined),
    );
    expect((logged.req as { url: string }).url).toBe(
      `/stats?source=${SOURCE}&api_key=[redacted]&token=[redacted]`,
    );
    // The line names the key by its id, never by the key.
    expect(logged.key_id).toBe(KEY_IDS.investigator);
    expect(stdout).not.toContain(leaked);
    expect(stdout).not.toContain(KEYS.investigator);
  });

  it('logs replay work under its replay_id, not under the request that started it', async () => {
    const requestId = `obs-replay-${r}`;
    const replayId = await replay('log context', { 'x-request-id': requestId });
    const work = await until('the replay to be logged as completed', async () => {
      const mine = lines().filter((l) => l.replay_id === replayId);
      return mine.some((l) => l.stage === 'completed') ? mine : undefined;
    });
    // The request's own lines do carry its id (so the check below can fail).
    expect(lines().filter((l) => l.request_id === requestId).length).toBeGreaterThan(0);
    const sent = work.filter((l) => l.context === 'ReplaySender');
    expect(sent.map((l) => l.op)).toEqual(expect.arrayContaining(['replay.start', 'replay.audit']));
    for (const line of sent) {
      expect(line.req).toBeUndefined();
      expect(line.request_id).toBeUndefined();
    }
  });
});
