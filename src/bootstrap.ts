// The one boot sequence, shared by `npm start`, `npm run provision`, the tests and the benches: in
// local mode start the emulators (or join running ones) and point the config at them, create the
// resources, then create the app.
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from './app.factory';
import { createAwsClients, destroyAwsClients } from './shared/aws/aws-clients';
import { ProvisionReport, ResourceProvisioner } from './shared/aws/provisioner';
import { Env, withOverrides } from './shared/config/env.config';
import { LocalEndpoints, LocalStack, LocalStackOptions } from './shared/local/local-stack';
import { localCursorSecret } from './shared/local/local-secrets';

/** Where local mode's emulators come from. */
export type Emulators =
  /** Started here, data kept under DATA_DIR across restarts (`npm start`, `npm run provision`). */
  | 'data-dir'
  /** Started here, DynamoDB in memory and S3 in a temporary folder removed at stop (tests, benches). */
  | 'temporary'
  /** Already running (the test run's emulators, or a bench's shared by several apps). */
  | LocalEndpoints;

export interface RunningEmulators {
  endpoints: LocalEndpoints;
  /** Stops the emulators and removes their temporary data. */
  stop(): Promise<void>;
}

export interface BootOptions {
  /** Local mode only; default 'data-dir'. */
  emulators?: Emulators;
  /** Create missing resources; default in local mode only (in aws mode `npm run provision` does it). */
  provision?: boolean;
  /** Each line an emulator prints on stderr. */
  onEmulatorLog?: LocalStackOptions['onLog'];
}

export interface Storage {
  /** The config the app runs with: in local mode pointed at the emulators. */
  env: Env;
  /** The emulators' endpoints, in local mode. */
  endpoints?: LocalEndpoints;
  provisioned?: ProvisionReport;
  /** Stops what this boot started (the app, emulators started here). */
  stop(): Promise<void>;
}

export interface Booted extends Storage {
  /** Created and not yet listening: `listen` to serve, or `init` to test through `inject`. */
  app: NestFastifyApplication;
}

export async function startEmulators(
  env: Env,
  storage: 'data-dir' | 'temporary',
  onLog?: LocalStackOptions['onLog'],
): Promise<RunningEmulators> {
  const tmp = storage === 'temporary' ? mkdtempSync(join(tmpdir(), 'pipescope-s3-')) : undefined;
  const removeTmp = () => tmp && rmSync(tmp, { recursive: true, force: true });
  const stack = await LocalStack.start({
    dynamoDir: tmp ? undefined : join(env.DATA_DIR, 'dynamodb'),
    s3Dir: tmp ?? join(env.DATA_DIR, 's3'),
    sqsDir: tmp ? undefined : join(env.DATA_DIR, 'sqs'),
    region: env.AWS_REGION,
    onLog,
  }).catch((err: unknown) => {
    removeTmp();
    throw err;
  });
  return {
    endpoints: stack.endpoints,
    stop: async () => {
      await stack.stop();
      removeTmp();
    },
  };
}

/** `env` with the AWS endpoints of the emulators. */
export function emulatorEnv(env: Env, endpoints: LocalEndpoints): Env {
  return withOverrides(env, {
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
  });
}

/** Creates the bucket, table and queues of `env` when missing (idempotent). */
export async function provisionResources(env: Env): Promise<ProvisionReport> {
  const clients = createAwsClients(env);
  try {
    return await new ResourceProvisioner(env, clients).provision();
  } finally {
    destroyAwsClients(clients);
  }
}

/** Everything before the app: emulators and endpoints in local mode, then the resources. */
export async function bootStorage(env: Env, options: BootOptions = {}): Promise<Storage> {
  const { emulators = 'data-dir', provision = env.PIPESCOPE_MODE === 'local' } = options;
  let started: RunningEmulators | undefined;
  let endpoints: LocalEndpoints | undefined;
  if (env.PIPESCOPE_MODE === 'local') {
    if (typeof emulators === 'string') started = await startEmulators(env, emulators, options.onEmulatorLog);
    endpoints = started?.endpoints ?? (emulators as LocalEndpoints);
    env = emulatorEnv(env, endpoints);
    // Cursors handed out before a restart stay valid after it.
    if (emulators === 'data-dir' && !env.CURSOR_SECRET) {
      env = withOverrides(env, { CURSOR_SECRET: localCursorSecret(env.DATA_DIR) });
    }
  }
  const stop = async () => started?.stop();
  try {
    // Before the app is created: the replay consumer resolves its queue URL while the app is built.
    const provisioned = provision ? await provisionResources(env) : undefined;
    return { env, endpoints, provisioned, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The whole sequence: storage ready, then the app created. */
export async function bootApp(env: Env, options: BootOptions = {}): Promise<Booted> {
  const storage = await bootStorage(env, options);
  let app: NestFastifyApplication;
  try {
    app = await createApp(storage.env);
  } catch (err) {
    await storage.stop();
    throw err;
  }
  const stop = async () => {
    try {
      await app.close();
    } finally {
      await storage.stop();
    }
  };
  return { ...storage, app, stop };
}
