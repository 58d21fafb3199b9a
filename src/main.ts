// Entry point: validate config, start the embedded emulators in local mode, provision, serve.
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { performance } from 'node:perf_hooks';
import { createApp } from './app.factory';
import { createAwsClients, destroyAwsClients } from './shared/aws/aws-clients';
import { ResourceProvisioner } from './shared/aws/provisioner';
import { ConfigError, Env, validateEnv } from './shared/config/env.config';
import { startLocalMode } from './shared/local/local-mode';
import { JavaMissingError, type LocalStack } from './shared/local/local-stack';

async function main(): Promise<void> {
  const started = performance.now();
  let env: Env;
  try {
    env = validateEnv(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`pipescope: refusing to start. ${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
  const boot = new Logger('boot');
  const running: { app?: NestFastifyApplication; stack?: LocalStack } = {};
  let closing = false;
  const shutdown = async (reason: string, code: number): Promise<never> => {
    if (!closing) {
      closing = true;
      boot.log({ reason }, 'shutting down');
      await running.app?.close().catch(() => undefined);
      await running.stack?.stop();
    }
    process.exit(code);
  };
  process.once('SIGINT', () => void shutdown('SIGINT', 0));
  process.once('SIGTERM', () => void shutdown('SIGTERM', 0));
  process.on('uncaughtException', (err) => {
    boot.error({ err }, 'uncaught exception');
    void shutdown('uncaughtException', 1);
  });
  process.on('unhandledRejection', (err) => {
    boot.error({ err }, 'unhandled rejection');
    void shutdown('unhandledRejection', 1);
  });

  if (env.PIPESCOPE_MODE === 'local') {
    running.stack = await startLocalMode(env, process.env, (service, line) => {
      if (/error|exception/i.test(line)) boot.warn({ service, line }, 'emulator');
    });
    // Before the app is built: the replay consumer resolves its queue URL while the app is created.
    // Re-read the environment: local mode has just set the emulators' endpoints in it.
    env = validateEnv(process.env);
    const clients = createAwsClients(env);
    try {
      const report = await new ResourceProvisioner(env, clients).provision();
      boot.log({ ...report, op: 'provision' }, 'local resources ready');
    } finally {
      destroyAwsClients(clients);
    }
  }
  const app = await createApp(env);
  running.app = app;
  await app.listen({ port: env.PORT, host: env.HOST });
  boot.log(
    {
      op: 'ready',
      mode: env.PIPESCOPE_MODE,
      url: await app.getUrl(),
      startup_ms: Math.round(performance.now() - started),
      emulators: running.stack?.endpoints,
    },
    'pipescope ready',
  );
}

main().catch((err: unknown) => {
  // A missing Java is a set-up step, not a bug: say what to do, without a stack trace.
  const detail = err instanceof JavaMissingError ? err.message : ((err as Error)?.stack ?? String(err));
  process.stderr.write(`pipescope: failed to start: ${detail}\n`);
  process.exit(1);
});
