#!/usr/bin/env node
// Entry point of the `pipescope` CLI (package.json "bin"). Exit codes: 0 done; 1 it ran but some
// events or messages failed; 2 bad arguments; 3 the service refused the request or did not answer.
import { CommanderError } from 'commander';
import { buildProgram } from './cli.program';
import { ServiceError } from './service.client';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the version lives in package.json
const { version } = require('../../../package.json') as { version: string };

async function main(): Promise<void> {
  const program = buildProgram(version);
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    if (err instanceof ServiceError) {
      const hint =
        err.status === 401
          ? ' (set PIPESCOPE_API_KEY or --key)'
          : err.status === 0
            ? ' (set PIPESCOPE_URL or --url)'
            : '';
      const fields = Array.isArray(err.details)
        ? ` [${err.details.map((d: { field?: string; message?: string }) => `${d.field}: ${d.message}`).join('; ')}]`
        : '';
      process.stderr.write(
        `pipescope: ${err.status || 'no answer'} ${err.code}: ${err.message}${fields}${hint}\n`,
      );
      process.exitCode = 3;
      return;
    }
    throw err;
  }
}

void main();
