// `npm run reconcile -- [--repair] [--from <time>] [--to <time>] [--prefix raw/...] [--reason <text>]`:
// the job POST /admin/reconcile creates, run to its end in this process (a cron job, or on call with
// no service at hand). Progress goes to stderr, JSON logs and, last, the job as JSON to stdout.
// Exit: 0 nothing needs attention, 2 findings need attention, 1 the job failed, 64 bad arguments,
// 78 bad configuration. In local mode without AWS_ENDPOINT_URL_* it starts the emulators on DATA_DIR
// (stop the service first, or pass the endpoints from its "ready" log line).
import 'reflect-metadata';
import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { Logger } from 'nestjs-pino';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { bootStorage } from '../bootstrap';
import { AuthModule } from '../shared/auth/auth.module';
import { AwsModule } from '../shared/aws/aws.module';
import { AppConfigModule } from '../shared/config/config.module';
import { ConfigError, Env, validateEnv } from '../shared/config/env.config';
import { AppError } from '../shared/errors/app-error';
import { problemsOf } from '../shared/errors/validation-problems';
import { LoggingModule } from '../shared/logging/logging.module';
import { MetricsModule } from '../shared/metrics/metrics.module';
import { ReconcileJob, ReconcileJobStore } from './reconcile-job-store';
import { StartReconcileDto } from './reconcile.dto';
import { ReconcileCoreModule } from './reconcile.module';
import { ReconcileRunner } from './reconcile.runner';
import { ReconcileService, ReconcileView, toView } from './reconcile.service';

const USAGE =
  'usage: npm run reconcile -- [--repair] [--from <RFC 3339>] [--to <RFC 3339>] [--prefix raw/...] [--reason <text>]';
const EXIT = { clean: 0, failed: 1, problems: 2, usage: 64, config: 78 } as const;

@Module({})
class ReconcileCliModule {
  static register(env: Env) {
    return {
      module: ReconcileCliModule,
      // AuthModule: the ingest service it repairs through takes the rate limits (unused offline).
      imports: [
        AppConfigModule.forRoot(env),
        LoggingModule,
        AwsModule,
        MetricsModule,
        AuthModule,
        ReconcileCoreModule,
      ],
    };
  }
}

class UsageError extends Error {}

function request(argv: string[]): StartReconcileDto {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        repair: { type: 'boolean' },
        from: { type: 'string' },
        to: { type: 'string' },
        prefix: { type: 'string' },
        reason: { type: 'string' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const dto = plainToInstance(StartReconcileDto, values);
  const problems = problemsOf(validateSync(dto, { whitelist: true, forbidNonWhitelisted: true }));
  if (problems.length > 0) throw new UsageError(problems.map((p) => `--${p.field}: ${p.message}`).join('; '));
  return dto;
}

/** Runs the job here; when another runner took it first, follows it to its end. */
async function runJob(app: INestApplicationContext, reconcileId: string): Promise<ReconcileJob> {
  const jobs = app.get(ReconcileJobStore);
  const progress = setInterval(() => {
    void jobs.get(reconcileId).then((job) => {
      if (job) process.stderr.write(`reconcile ${reconcileId}: ${job.hours_done}/${job.hours_total} hours\n`);
    });
  }, 5000);
  try {
    const ran = await app.get(ReconcileRunner).runToEnd(reconcileId);
    let job = ran ?? (await jobs.get(reconcileId));
    while (job && (job.status === 'pending' || job.status === 'running')) {
      await new Promise((r) => setTimeout(r, 1000));
      job = await jobs.get(reconcileId);
    }
    if (!job) throw new Error(`reconcile ${reconcileId} disappeared`);
    return job;
  } finally {
    clearInterval(progress);
  }
}

async function main(argv: string[]): Promise<number> {
  let dto: StartReconcileDto;
  let env: Env;
  try {
    dto = request(argv);
    env = validateEnv(process.env);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`pipescope reconcile: ${err.message}\n${USAGE}\n`);
      return EXIT.usage;
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`pipescope reconcile: ${err.message}\n`);
      return EXIT.config;
    }
    throw err;
  }
  // Local mode: the emulators the endpoints name (a running service's), or our own on DATA_DIR.
  const { AWS_ENDPOINT_URL_S3: s3, AWS_ENDPOINT_URL_DYNAMODB: dynamodb, AWS_ENDPOINT_URL_SQS: sqs } = env;
  const storage = await bootStorage(env, {
    emulators: s3 && dynamodb && sqs ? { s3, dynamodb, sqs } : 'data-dir',
  });
  try {
    return await reconcile(storage.env, dto);
  } finally {
    await storage.stop();
  }
}

async function reconcile(env: Env, dto: StartReconcileDto): Promise<number> {
  const app = await NestFactory.createApplicationContext(ReconcileCliModule.register(env), {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  let view: ReconcileView;
  try {
    let created;
    try {
      created = await app.get(ReconcileService).create(dto, `cli:${userInfo().username}`);
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 400) throw err;
      process.stderr.write(`pipescope reconcile: ${err.message}\n${USAGE}\n`);
      return EXIT.usage;
    }
    view = toView(await runJob(app, created.reconcile_id));
  } finally {
    await app.close();
  }
  // Last, after the shutdown's log and metric lines: the job as it ended.
  process.stdout.write(`${JSON.stringify(view)}\n`);
  if (view.status !== 'completed') return EXIT.failed;
  return view.problems > 0 ? EXIT.problems : EXIT.clean;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`pipescope reconcile failed: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(EXIT.failed);
  },
);
