// `npm run provision`: create the bucket, table and queues if missing (idempotent), in either mode.
// In local mode the emulators are started for the duration of the command.
import 'reflect-metadata';
import { bootStorage } from './bootstrap';
import { ConfigError, validateEnv } from './shared/config/env.config';

async function provision(): Promise<void> {
  const env = validateEnv(process.env);
  const storage = await bootStorage(env, { provision: true });
  try {
    process.stdout.write(
      `${JSON.stringify({ mode: env.PIPESCOPE_MODE, ...storage.provisioned }, null, 2)}\n`,
    );
  } finally {
    await storage.stop();
  }
}

provision().catch((err: unknown) => {
  const message = err instanceof ConfigError ? err.message : ((err as Error)?.stack ?? String(err));
  process.stderr.write(`pipescope provision failed: ${message}\n`);
  process.exit(1);
});
