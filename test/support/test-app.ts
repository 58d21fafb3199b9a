// Builds the whole app against the shared emulators with resource names unique to the calling test.
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { createApp } from '../../src/app.factory';
import { createAwsClients, destroyAwsClients } from '../../src/shared/aws/aws-clients';
import { ResourceProvisioner } from '../../src/shared/aws/provisioner';
import { Env, validateEnv } from '../../src/shared/config/env.config';

export const KEYS = {
  producer: 'producer-key-0123456789',
  investigator: 'investigator-key-0123456789',
  operator: 'operator-key-0123456789',
} as const;

export const API_KEYS = Object.entries(KEYS)
  .map(([role, key]) => `${role}:${key}`)
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

/** Sets the env for this test file (Jest gives each file its own process.env) and validates it. */
export function testEnv(label: string, overrides: Record<string, string> = {}): Env {
  if (!process.env.AWS_ENDPOINT_URL_DYNAMODB) throw new Error('emulators are not running (global setup)');
  Object.assign(process.env, { PIPESCOPE_MODE: 'local', API_KEYS, ...uniqueNames(label), ...overrides });
  return validateEnv(process.env);
}

export async function provision(env: Env): Promise<void> {
  const clients = createAwsClients(env);
  try {
    await new ResourceProvisioner(env, clients).provision();
  } finally {
    destroyAwsClients(clients);
  }
}

export interface TestApp {
  app: NestFastifyApplication;
  env: Env;
  http: () => TestAgent;
  close: () => Promise<void>;
}

export async function startTestApp(label: string, overrides: Record<string, string> = {}): Promise<TestApp> {
  const env = testEnv(label, overrides);
  await provision(env);
  const app = await createApp(env);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    env,
    http: () => request(app.getHttpServer()),
    close: () => app.close(),
  };
}

export const auth = (role: keyof typeof KEYS) => ({ authorization: `Bearer ${KEYS[role]}` });

/** Another app on the same resources as `env` (same table, bucket, queue): a restart. */
export async function restartTestApp(env: Env): Promise<TestApp> {
  const app = await createApp(env);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return { app, env, http: () => request(app.getHttpServer()), close: () => app.close() };
}

/** Makes a started test app listen on a free loopback port, for clients outside the process; its URL. */
export async function listen(t: TestApp): Promise<string> {
  await t.app.listen(0, '127.0.0.1');
  return await t.app.getUrl();
}
