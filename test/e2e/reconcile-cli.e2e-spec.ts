// `npm run reconcile` as an operator runs it: the built CLI against the emulators, its exit codes and
// its last stdout line; a repair makes the orphaned event readable through the API.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { RawStore } from '../../src/shared/raw/raw-store';
import { wireEvent } from '../support/factories';
import { Body, orphanSingle } from '../support/reconcile';
import { auth, startTestApp, TestApp } from '../support/test-app';

const CLI = join(__dirname, '../../dist/src/reconcile/reconcile.cli.js');

interface Run {
  code: number | null;
  result: Body | undefined;
  stderr: string;
}

/** Runs the CLI with the test app's resources and the emulators' endpoints. */
function cli(t: TestApp, args: string[]): Promise<Run> {
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    PIPESCOPE_MODE: 'local',
    LOG_LEVEL: 'warn',
    RECONCILE_SETTLE_MS: '0',
    AWS_REGION: t.env.AWS_REGION,
    AWS_ENDPOINT_URL_S3: t.env.AWS_ENDPOINT_URL_S3,
    AWS_ENDPOINT_URL_DYNAMODB: t.env.AWS_ENDPOINT_URL_DYNAMODB,
    AWS_ENDPOINT_URL_SQS: t.env.AWS_ENDPOINT_URL_SQS,
    PIPESCOPE_BUCKET: t.env.PIPESCOPE_BUCKET,
    PIPESCOPE_TABLE: t.env.PIPESCOPE_TABLE,
    PIPESCOPE_QUEUE: t.env.PIPESCOPE_QUEUE,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.once('error', fail);
    child.once('exit', (code) => {
      const last = stdout.trim().split('\n').pop();
      done({
        code,
        stderr,
        result: last?.startsWith('{"reconcile_id"') ? (JSON.parse(last) as Body) : undefined,
      });
    });
  });
}

describe('npm run reconcile', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('reconcile-cli', { PROCESSOR_ENABLED: 'false' });
  });
  afterAll(() => t.close());

  it('reports an orphaned raw event with exit 2, repairs it with exit 0, then finds nothing to do', async () => {
    const source = `cli-${randomBytes(3).toString('hex')}`;
    const first = await t
      .http()
      .post('/ingest')
      .set(auth('producer'))
      .set('content-type', 'application/json')
      .send(JSON.stringify(wireEvent({ source })))
      .expect(201);
    const lone = wireEvent({ source, occurred_at: first.body.received_at as string });
    const orphan = await orphanSingle(t.app.get(RawStore), lone);
    const window = [
      '--from',
      new Date(Date.now() - 3_600_000).toISOString(),
      '--to',
      new Date().toISOString(),
    ];
    const scope = ['--prefix', `raw/source=${source}/`];

    const dry = await cli(t, [...window, ...scope, '--reason', 'cli test']);
    expect(dry.code).toBe(2);
    expect(dry.result).toMatchObject({
      status: 'completed',
      repair: false,
      reason: 'cli test',
      requested_by: expect.stringMatching(/^cli:/),
      counts: { unindexed: 1, recovered: 0, index_items: 1 },
      problems: 1,
    });
    await t.http().get(`/events/${orphan.event_id}`).set(auth('investigator')).expect(404);

    const repair = await cli(t, [...window, ...scope, '--repair']);
    expect(repair.code).toBe(0);
    expect(repair.result).toMatchObject({
      repair: true,
      counts: { unindexed: 1, recovered: 1 },
      problems: 0,
    });
    const found = await t.http().get(`/events/${orphan.event_id}`).set(auth('investigator')).expect(200);
    expect(found.body).toMatchObject({ s3_key: orphan.s3_key, recovered_at: expect.any(String) });

    const again = await cli(t, [...window, ...scope, '--repair']);
    expect(again.code).toBe(0);
    expect(again.result).toMatchObject({ counts: { unindexed: 0, recovered: 0, index_items: 2 } });
  });

  it('refuses bad arguments with exit 64 and the usage', async () => {
    const bad = await cli(t, ['--from', 'last tuesday']);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toMatch(/--from: from must be an RFC 3339 date-time/);
    expect(bad.stderr).toMatch(/usage: npm run reconcile/);
    const wide = await cli(t, ['--from', '2020-01-01T00:00:00Z']);
    expect(wide.code).toBe(64);
    expect(wide.stderr).toMatch(/RECONCILE_MAX_WINDOW_DAYS/);
    expect((await cli(t, ['--nope'])).code).toBe(64);
  });
});
