// Boots the whole app against the run's emulators with resource names unique to the calling test.
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { bootApp, bootStorage, emulatorEnv } from '../../src/bootstrap';
import type { AppOptions } from '../../src/app.module';
import { Env, validateEnv, withOverrides } from '../../src/shared/config/env.config';
import type { LocalEndpoints } from '../../src/shared/local/local-stack';
import { installContractCheck } from './contract';

export const KEYS = {
  producer: 'producer-key-0123456789',
  investigator: 'investigator-key-0123456789',
  operator: 'operator-key-0123456789',
} as const;

/** Each key's id in logs, attempts and audit lines. */
export const KEY_IDS = {
  producer: 'test-producer',
  investigator: 'test-investigator',
  operator: 'test-operator',
} as const;

export const API_KEYS = Object.entries(KEYS)
  .map(([role, key]) => `${KEY_IDS[role as keyof typeof KEYS]}=${role}:${key}`)
  .join(',');

export function uniqueNames(label: string): Record<string, string> {
  const id = `${label}-${randomBytes(4).toString('hex')}`.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  const names = {
    PIPESCOPE_BUCKET: `test-${id}`,
    PIPESCOPE_TABLE: `test-${id}`,
    PIPESCOPE_QUEUE: `test-${id}`,
  };
  // Like domain-driven-hexagon: never let a test point at something not named as a test resource.
  for (const name of Object.values(names))
    if (!name.startsWith('test-')) throw new Error(`unsafe name ${name}`);
  return names;
}

/** What the global setup hands to each test file. */
export interface TestRun {
  endpoints: LocalEndpoints;
  logLevel: string;
}

let base: Env | undefined;

/** The config every test of this file starts from: the run's, read and validated once per file. */
function runEnv(): Env {
  if (base) return base;
  const handed = process.env.PIPESCOPE_TEST_RUN;
  if (!handed) throw new Error('emulators are not running (global setup)');
  const { endpoints, logLevel } = JSON.parse(handed) as TestRun;
  const env = validateEnv({
    PIPESCOPE_MODE: 'local',
    AWS_REGION: 'us-east-1',
    API_KEYS,
    LOG_LEVEL: logLevel,
    // A test that reads EMF lines switches them on.
    METRICS_EMF_ENABLED: 'false',
    // Counters written before each answer, so a test reads them right after; the timed flush of the
    // default is tested on its own (ingest-stats-flush.e2e-spec.ts, counter-buffer.spec.ts).
    COUNTER_FLUSH_MS: '0',
  });
  base = emulatorEnv(env, endpoints);
  return base;
}

/** The config of one test: the run's, with resource names unique to `label`, plus `overrides`. */
export function testEnv(label: string, overrides: Record<string, string> = {}): Env {
  return withOverrides(runEnv(), { ...uniqueNames(label), ...overrides });
}

/** The emulators `env` points at (the run's, or a test's own where it overrides an endpoint). */
function emulatorsOf(env: Env): LocalEndpoints {
  return {
    s3: env.AWS_ENDPOINT_URL_S3!,
    dynamodb: env.AWS_ENDPOINT_URL_DYNAMODB!,
    sqs: env.AWS_ENDPOINT_URL_SQS!,
  };
}

/** A test's config with its resources created. */
export async function testStorage(label: string, overrides: Record<string, string> = {}): Promise<Env> {
  const env = testEnv(label, overrides);
  return (await bootStorage(env, { emulators: emulatorsOf(env) })).env;
}

export interface TestApp {
  app: NestFastifyApplication;
  env: Env;
  http: () => TestAgent;
  close: () => Promise<void>;
}

/** The whole app on `env`'s resources, booted as `npm start` boots it, ready for requests. */
async function serve(config: Env, options?: AppOptions): Promise<TestApp> {
  const { env, app, stop } = await bootApp(config, { emulators: emulatorsOf(config), app: options });
  installContractCheck(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return { app, env, http: () => request(app.getHttpServer()), close: stop };
}

/**
 * A whole pipeline that answers quickly while a test drives it from outside (a browser, the CLI, curl):
 * short polls, and generous storage timeouts since DynamoDB Local shares two cores with everything else.
 */
export const QUICK_PIPELINE = {
  PROCESSOR_WAIT_TIME_S: '1',
  REPLAY_POLL_MS: '300',
  STORAGE_TIMEOUT_MS: '20000',
};

/** The app on resources unique to `label`; `options` adds code (replay formatters) as a team would. */
export async function startTestApp(
  label: string,
  overrides: Record<string, string> = {},
  options?: AppOptions,
): Promise<TestApp> {
  return serve(testEnv(label, overrides), options);
}

/** Another app on the same resources as `env` (same table, bucket, queue): a restart. */
export async function restartTestApp(env: Env): Promise<TestApp> {
  return serve(env);
}

export const auth = (role: keyof typeof KEYS) => ({ authorization: `Bearer ${KEYS[role]}` });

/** Makes a started test app listen on a free loopback port, for clients outside the process; its URL. */
export async function listen(t: TestApp): Promise<string> {
  await t.app.listen(0, '127.0.0.1');
  return await t.app.getUrl();
}

/** Ingests one event as a producer through POST /ingest, expecting 201; answers its event_id. */
export async function ingestOne(t: TestApp, event: Record<string, unknown>): Promise<string> {
  const res = await t
    .http()
    .post('/ingest')
    .set(auth('producer'))
    .set('content-type', 'application/json')
    .send(JSON.stringify(event))
    .expect(201);
  return (res.body as { event_id: string }).event_id;
}
