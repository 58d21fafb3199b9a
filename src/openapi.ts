// `npm run openapi [-- file]`: writes the OpenAPI document the server serves at /docs-json, built
// from the app without storage (nothing is started or contacted), to a file or stdout. `npm run check`
// lints it with Redocly.
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { createApp } from './app.factory';
import { validateEnv } from './shared/config/env.config';
import { buildOpenApiDocument } from './shared/openapi/openapi.document';

async function exportDocument(out: string | undefined): Promise<void> {
  // The app is created, never initialised: no emulator, no AWS call, no consumer, no runner.
  const env = validateEnv({
    PIPESCOPE_MODE: 'aws',
    API_KEYS: 'operator:openapi-export-key',
    PROCESSOR_ENABLED: 'false',
    LOG_LEVEL: 'silent',
    METRICS_EMF_ENABLED: 'false',
  });
  const app = await createApp(env);
  const text = `${JSON.stringify(buildOpenApiDocument(app), null, 2)}\n`;
  await app.close();
  if (out) writeFileSync(out, text);
  else process.stdout.write(text);
}

exportDocument(process.argv[2]).catch((err: unknown) => {
  process.stderr.write(`pipescope openapi failed: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
