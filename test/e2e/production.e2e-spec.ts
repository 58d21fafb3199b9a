// What the container image and the Lambda asset hold, proven without docker: a production install
// (scripts/stage-production.mjs: dist/src plus `npm ci --omit=dev`, the Dockerfile's steps) in a temp
// folder, run in aws mode against the emulators with resources made by `npm run provision`'s code only.
// It refuses to start without API_KEYS; it serves ingest, query, replay and processing; the Lambda
// handler from the same folder processes a replay message with no API keys at all.
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventRecord } from '../../src/shared/events/event-index';
import { freePort, LOCAL_CREDENTIALS } from '../../src/shared/local/local-stack';
import { cleanEnv, exited, waitReady } from '../support/process';
import { replayMessageBody } from '../support/replay-messages';
import { API_KEYS, KEYS, testEnv, uniqueNames } from '../support/test-app';

const ROOT = join(__dirname, '../..');
const DAY = '2026-11-26';

describe('a production install in aws mode', () => {
  let dir: string;
  let names: Record<string, string>;
  let base: Record<string, string>;
  let child: ChildProcess | undefined;
  let url: string;

  const run = (script: string, env: Record<string, string>) =>
    spawnSync(process.execPath, [join(dir, 'dist/src', script)], {
      cwd: dir,
      env: cleanEnv(env),
      encoding: 'utf8',
    });
  const call = (method: string, path: string, role?: keyof typeof KEYS, body?: unknown) =>
    fetch(`${url}${path}`, {
      method,
      headers: {
        ...(role ? { authorization: `Bearer ${KEYS[role]}` } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });

  /** Latest aggregate version per bucket of an entity on DAY. */
  const aggregatesOf = async (entity: string) => {
    const res = await call(
      'GET',
      `/aggregates?entity_id=${entity}&from=${DAY}T00:00:00Z&to=${DAY}T23:59:59Z`,
      'investigator',
    );
    return ((await res.json()) as { items: { key: string; version: number }[] }).items.map(
      ({ key, version }) => ({
        key,
        version,
      }),
    );
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pipescope-prod-'));
    const staged = spawnSync(process.execPath, [join(ROOT, 'scripts/stage-production.mjs'), dir], {
      encoding: 'utf8',
    });
    if (staged.status !== 0) throw new Error(`staging failed:\n${staged.stdout}\n${staged.stderr}`);
    names = uniqueNames('prod');
    // The run's emulators, as the test support hands them to each test file.
    const emulators = testEnv('prod');
    base = {
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_S3: emulators.AWS_ENDPOINT_URL_S3!,
      AWS_ENDPOINT_URL_DYNAMODB: emulators.AWS_ENDPOINT_URL_DYNAMODB!,
      AWS_ENDPOINT_URL_SQS: emulators.AWS_ENDPOINT_URL_SQS!,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      // The emulators need path-style addressing (aws mode defaults to virtual-hosted style).
      S3_FORCE_PATH_STYLE: 'true',
      ...names,
    };
  }, 180_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await exited(child);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds no devDependency: no emulator, no CDK, no test tooling', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    const present = Object.keys(pkg.devDependencies).filter((d) => existsSync(join(dir, 'node_modules', d)));
    expect(present).toEqual([]);
    expect(existsSync(join(dir, 'node_modules/@nestjs/core'))).toBe(true);
  });

  it('refuses to start without API_KEYS, with exit code 78 naming the variable', () => {
    const out = run('main.js', { ...base, PIPESCOPE_MODE: 'aws' });
    expect(out.status).toBe(78);
    expect(out.stderr).toMatch(/refusing to start/);
    expect(out.stderr).toMatch(/API_KEYS: required when PIPESCOPE_MODE=aws/);
  });

  it('provisions, then serves ingest, query, replay and processing', async () => {
    const env = { ...base, PIPESCOPE_MODE: 'aws', API_KEYS };
    const provisioned = run('provision.js', env);
    expect(provisioned.status).toBe(0);
    expect(JSON.parse(provisioned.stdout)).toMatchObject({
      mode: 'aws',
      bucket: 'created',
      table: 'created',
    });

    const port = await freePort();
    // As the image runs it: the Dockerfile's CMD, its `node` this test's.
    const [, ...args] = JSON.parse(
      /^CMD (\[.*\])$/m.exec(readFileSync(join(__dirname, '../../Dockerfile'), 'utf8'))![1],
    ) as string[];
    child = spawn(process.execPath, args, {
      cwd: dir,
      env: cleanEnv({
        ...env,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        PROCESSOR_WAIT_TIME_S: '1',
        REPLAY_POLL_MS: '300',
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const { ready } = await waitReady(child);
    expect(ready.mode).toBe('aws');
    expect(ready.emulators).toBeUndefined();
    url = `http://127.0.0.1:${port}`;
    expect((await call('GET', '/health/ready')).status).toBe(200);
    expect((await call('POST', '/ingest', undefined, {})).status).toBe(401);

    const event = (entity_id: string, n: number) => ({
      source: 'prod-src',
      type: 'order.created',
      entity_id,
      occurred_at: `${DAY}T10:0${n}:00.000Z`,
      payload: { n },
    });
    const single = await call('POST', '/ingest', 'producer', event('prod-a', 1));
    expect(single.status).toBe(201);
    const { event_id } = (await single.json()) as { event_id: string };
    const batch = await call('POST', '/ingest/batch', 'producer', {
      events: [event('prod-a', 2), event('prod-b', 3)],
    });
    expect(batch.status).toBe(200);
    expect(((await batch.json()) as { accepted: number }).accepted).toBe(2);

    const read = await call('GET', `/events/${event_id}`, 'investigator');
    expect(read.status).toBe(200);
    expect(JSON.parse(((await read.json()) as { raw: string }).raw)).toEqual(event('prod-a', 1));

    const started = await call('POST', '/replay', 'operator', {
      filter: {
        source: 'prod-src',
        from: new Date(Date.now() - 3_600_000).toISOString(),
        to: new Date(Date.now() + 3_600_000).toISOString(),
      },
      reason: 'production install test',
      rate_per_second: 100,
    });
    expect(started.status).toBe(202);
    const { replay_id } = (await started.json()) as { replay_id: string };
    let job: { status?: string; matched?: number; processed?: number } = {};
    for (
      const deadline = Date.now() + 30_000;
      Date.now() < deadline;
      await new Promise((r) => setTimeout(r, 250))
    ) {
      job = (await (await call('GET', `/replay/${replay_id}`, 'operator')).json()) as typeof job;
      if (job.status === 'completed' && job.processed === job.matched) break;
    }
    expect(job).toMatchObject({ status: 'completed', matched: 3, processed: 3 });
    expect(await aggregatesOf('prod-a')).toEqual([{ key: `prod-a@${DAY}T10`, version: 1 }]);
  });

  it('runs the processor Lambda handler from the same install, without API keys', async () => {
    expect(url).toBeDefined();
    const ingested = await call('POST', '/ingest', 'producer', {
      source: 'prod-src',
      type: 'order.created',
      entity_id: 'prod-lambda',
      occurred_at: `${DAY}T11:00:00.000Z`,
      payload: { lambda: true },
    });
    const { event_id } = (await ingested.json()) as { event_id: string };
    const record = (await (
      await call('GET', `/events/${event_id}?raw=false`, 'investigator')
    ).json()) as EventRecord;
    const sqsEvent = {
      Records: [
        { messageId: 'good', body: replayMessageBody('lambda-check', record) },
        { messageId: 'poison', body: '{"not":"a replay message"}' },
      ],
    };
    // The function's environment as infra/ sets it: names only, no PIPESCOPE_MODE, no API_KEYS.
    const invoke = spawnSync(
      process.execPath,
      [
        '-e',
        `require('./dist/src/processor/processor.lambda.js').handler(${JSON.stringify(sqsEvent)})` +
          '.then((r) => { process.stdout.write("RESULT " + JSON.stringify(r) + "\\n"); process.exit(0); })',
      ],
      { cwd: dir, env: cleanEnv({ ...base, LOG_LEVEL: 'silent' }), encoding: 'utf8', timeout: 30_000 },
    );
    expect(invoke.status).toBe(0);
    const result = JSON.parse(/RESULT (.*)/.exec(invoke.stdout)![1]) as { batchItemFailures: unknown[] };
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'poison' }]);
    expect(await aggregatesOf('prod-lambda')).toEqual([{ key: `prod-lambda@${DAY}T11`, version: 1 }]);

    child!.kill('SIGTERM');
    expect(await exited(child!)).toBe(0);
  });
});
