// `npm run simulate:scale -- --events-per-second 10000 --sources 20 --types 5 --instances 50`: prints
// the write and read rates per DynamoDB partition and item and per S3 prefix that traffic causes, on
// the write path and the replay/processor path, from the app's own key builders and flush policy
// (scale-model.ts), and flags any above AWS's limits. Exits 1 when something is over. Defaults of the
// tunables are the app's own (Env); docs/scaling.md explains each line and what to change.
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { validateEnv } from '../src/shared/config/env.config';
import { LIMIT_SOURCES, LIMITS, ScaleReport, ScaleScenario, simulate } from './scale-model';

const OPTIONS = {
  'events-per-second': { type: 'string', default: '10000' },
  sources: { type: 'string', default: '20' },
  types: { type: 'string', default: '5' },
  instances: { type: 'string', default: '50' },
  entities: { type: 'string', default: '100000' },
  'events-per-request': { type: 'string', default: '1' },
  'late-share': { type: 'string', default: '0.03' },
  'counter-shards': { type: 'string' },
  'source-index-shards': { type: 'string' },
  'counter-flush-ms': { type: 'string' },
  'replay-per-second': { type: 'string' },
  'sqs-batch-size': { type: 'string' },
  'progress-shards': { type: 'string' },
  'batch-ms': { type: 'string', default: '500' },
} as const;

function scenario(argv: string[]): ScaleScenario {
  const { values } = parseArgs({ args: argv, options: OPTIONS, strict: true });
  const env = validateEnv({});
  const num = (name: keyof typeof OPTIONS, fallback?: number): number => {
    const raw = values[name];
    const n = raw === undefined ? fallback : Number(raw);
    if (n === undefined || !Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number >= 0`);
    return n;
  };
  const eventsPerSecond = num('events-per-second');
  return {
    eventsPerSecond,
    sources: Math.max(1, num('sources')),
    types: Math.max(1, num('types')),
    instances: Math.max(1, num('instances')),
    entities: Math.max(1, num('entities')),
    eventsPerRequest: Math.max(1, num('events-per-request')),
    lateShare: num('late-share'),
    counterShards: Math.max(1, num('counter-shards', env.COUNTER_SHARDS)),
    sourceIndexShards: Math.max(1, num('source-index-shards', env.SOURCE_INDEX_SHARDS)),
    counterFlushMs: num('counter-flush-ms', env.COUNTER_FLUSH_MS),
    schemaCacheMs: env.SCHEMAS_CACHE_TTL_MS,
    // A replay as fast as the traffic it re-runs, unless told otherwise (REPLAY_MAX_RATE caps it).
    replayPerSecond: num('replay-per-second', Math.min(eventsPerSecond, env.REPLAY_MAX_RATE)),
    checkpointBatches: env.REPLAY_CHECKPOINT_BATCHES,
    sqsBatchSize: Math.max(1, num('sqs-batch-size', env.PROCESSOR_BATCH_SIZE)),
    progressShards: Math.max(1, num('progress-shards', env.REPLAY_PROGRESS_SHARDS)),
    batchMs: num('batch-ms'),
  };
}

const n = (x: number): string =>
  x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(x >= 10 ? 1 : 2);

export function render(r: ScaleReport): string {
  const s = r.scenario;
  const lines = [
    `scenario: ${n(s.eventsPerSecond)} events/s, ${s.sources} sources x ${s.types} types, ${s.instances} instances, ` +
      `${n(s.entities)} entities, ${s.eventsPerRequest} event(s) per request; COUNTER_SHARDS=${s.counterShards}, ` +
      `SOURCE_INDEX_SHARDS=${s.sourceIndexShards}, COUNTER_FLUSH_MS=${s.counterFlushMs}; replay ${n(s.replayPerSecond)} messages/s, PROCESSOR_BATCH_SIZE=${s.sqsBatchSize}, REPLAY_PROGRESS_SHARDS=${s.progressShards}`,
    `limits: ${LIMITS.partitionWcu} WCU/s and ${LIMITS.partitionRcu} RCU/s per partition (and per item), ` +
      `${LIMITS.itemBytes / 1024} KB per item, ${LIMITS.s3PutPerPrefix} PUT/s and ${LIMITS.s3GetPerPrefix} GET/s per S3 prefix`,
    '',
    '| path | hottest | scope | key | writes/s | reads/s | WCU/s or PUT/s | RCU/s or GET/s | |',
    '| --- | --- | --- | --- | ---: | ---: | ---: | ---: | --- |',
    ...r.loads.map(
      (l) =>
        `| ${l.path} | ${l.what} | ${l.scope} | \`${l.key}\` | ${n(l.writesPerSecond)} | ${n(l.readsPerSecond)} | ` +
        `${n(l.writeUnits)} / ${n(l.writeLimit)} | ${n(l.readUnits)} / ${n(l.readLimit)} | ${l.over ? '**OVER**' : 'ok'} |`,
    ),
    '',
    ...r.itemSizes.map((i) => `item size: ${i.what} ${n(i.bytes)} bytes${i.over ? ' **OVER**' : ''}`),
    `processor: ${r.processorConcurrency} batches in flight (Lambda concurrency or consumer instances x ` +
      `PROCESSOR_CONCURRENCY) at ${s.batchMs} ms per batch; ${n(r.sqsCallsPerSecond)} SQS receive+delete calls/s ` +
      `(standard queues: no per-queue limit)`,
  ];
  const over = r.loads.filter((l) => l.over).length + r.itemSizes.filter((i) => i.over).length;
  lines.push(over === 0 ? 'all within limits' : `${over} over the limits`);
  lines.push(`sources: ${Object.values(LIMIT_SOURCES).join(' ')}`);
  return lines.join('\n');
}

function main(): void {
  const report = simulate(scenario(process.argv.slice(2)));
  process.stdout.write(`${render(report)}\n`);
  const over = report.loads.some((l) => l.over) || report.itemSizes.some((i) => i.over);
  process.exitCode = over ? 1 : 0;
}

main();
