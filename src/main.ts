// Entry point: validate the environment once, boot (in local mode: emulators under DATA_DIR and the
// resources), serve.
import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { bootApp, type Booted } from './bootstrap';
import { ConfigError, Env, validateEnv } from './shared/config/env.config';
import { JavaMissingError } from './shared/local/local-stack';
import { bootLogger } from './shared/logging/logging.module';

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
  const log = bootLogger(env);
  const running: { booted?: Booted } = {};
  let closing = false;
  const shutdown = async (reason: string, code: number): Promise<never> => {
    if (!closing) {
      closing = true;
      log.info({ reason }, 'shutting down');
      await running.booted?.stop().catch(() => undefined);
    }
    process.exit(code);
  };
  process.once('SIGINT', () => void shutdown('SIGINT', 0));
  process.once('SIGTERM', () => void shutdown('SIGTERM', 0));
  process.on('uncaughtException', (err) => {
    log.error({ err }, 'uncaught exception');
    void shutdown('uncaughtException', 1);
  });
  process.on('unhandledRejection', (err) => {
    log.error({ err }, 'unhandled rejection');
    void shutdown('unhandledRejection', 1);
  });

  const booted = await bootApp(env, {
    onEmulatorLog: (service, line) => {
      if (/error|exception/i.test(line)) log.warn({ service, line }, 'emulator');
    },
  });
  running.booted = booted;
  if (booted.provisioned) log.info({ ...booted.provisioned, op: 'provision' }, 'local resources ready');
  const { app } = booted;
  const host = env.listenHost;
  if (!env.API_KEYS) {
    log.warn(
      { op: 'listen', host, auth: 'off', host_from: env.HOST === undefined ? 'default' : 'HOST' },
      env.HOST === undefined
        ? 'auth is off (no API_KEYS): listening on loopback only; set HOST to listen elsewhere'
        : 'auth is off (no API_KEYS) and HOST is set: anyone who reaches this address is trusted',
    );
  }
  await app.listen({ port: env.PORT, host });
  const address = app.getHttpServer().address();
  log.info(
    {
      op: 'ready',
      mode: env.PIPESCOPE_MODE,
      url: await app.getUrl(),
      listening: typeof address === 'object' && address ? address.address : address,
      startup_ms: Math.round(performance.now() - started),
      emulators: booted.endpoints,
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
