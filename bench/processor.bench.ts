// Processor throughput: messages per second from the replay queue to stored aggregate versions, end
// to end through the real consumer, against the embedded emulators started here.
// Run: npm run bench:processor (BENCH_EVENTS, BENCH_BUCKETS override the size).
import 'reflect-metadata';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { performance } from 'node:perf_hooks';
import { bootApp, startEmulators } from '../src/bootstrap';
import { AWS_CLIENTS } from '../src/shared/aws/aws.module';
import type { AwsClients } from '../src/shared/aws/aws-clients';
import { EventIndex, EventRecord } from '../src/shared/events/event-index';
import { QueuePublisher } from '../src/shared/queue/queue-publisher';
import { replayProgressKeys } from '../src/shared/aws/table-keys';
import { withOverrides } from '../src/shared/config/env.config';
import { benchEnv } from './bench-support';
import { mapLimit } from '../src/shared/async/map-limit';

export interface ProcessorBenchResult {
  events: number;
  buckets: number;
  batch_size: number;
  concurrency: number;
  seconds: number;
  messages_per_s: number;
}

const DAY = '2026-11-01';

function events(n: number, buckets: number): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => {
    const bucket = i % buckets;
    const hour = String(bucket % 24).padStart(2, '0');
    return {
      source: 'bench-svc',
      type: i % 3 === 0 ? 'order.paid' : 'order.created',
      entity_id: `ent-${Math.floor(bucket / 24)}`,
      occurred_at: `${DAY}T${hour}:${String(i % 60).padStart(2, '0')}:${String(Math.floor(i / 60) % 60).padStart(2, '0')}.000Z`,
      payload: { i, amount: i * 7 },
    };
  });
}

export async function runProcessorBench(n = 2000, buckets = 300): Promise<ProcessorBenchResult> {
  const config = benchEnv('processor', { LOG_LEVEL: 'silent' });
  const emulators = await startEmulators(config, 'temporary');
  const table = config.PIPESCOPE_TABLE;
  try {
    // 1. Ingest and enqueue with the consumer off (the bench config's default).
    const { app: loader } = await bootApp(config, { emulators: emulators.endpoints });
    const clients = loader.get<AwsClients>(AWS_CLIENTS);
    await loader.init();
    const fastify = loader.getHttpAdapter().getInstance();
    const all = events(n, buckets);
    for (let i = 0; i < all.length; i += 500) {
      const res = await fastify.inject({
        method: 'POST',
        url: '/ingest/batch',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ events: all.slice(i, i + 500) }),
      });
      if (res.statusCode !== 200) throw new Error(`ingest failed: ${res.statusCode} ${res.body}`);
    }
    const index = loader.get(EventIndex);
    const entities = [...new Set(all.map((e) => e.entity_id as string))];
    const records: EventRecord[] = (
      await mapLimit(entities, 8, async (entity) => {
        const out: EventRecord[] = [];
        let cursor: string | undefined;
        do {
          const page = await index.eventsOfEntity(
            entity,
            { from: `${DAY}T00:00:00.000Z`, to: `${DAY}T23:59:59.999Z` },
            'asc',
            { limit: 1000, cursor },
          );
          out.push(...page.items);
          cursor = page.next_cursor ?? undefined;
        } while (cursor);
        return out;
      })
    ).flat();
    if (records.length !== n) throw new Error(`indexed ${records.length} of ${n} events`);
    const replayId = `bench-${Date.now()}`;
    await clients.dynamo.send(
      new PutCommand({
        TableName: table,
        Item: { ...replayProgressKeys.job(replayId), replay_id: replayId },
      }),
    );
    const queue = loader.get(QueuePublisher);
    const chunks: EventRecord[][] = [];
    for (let i = 0; i < records.length; i += 10) chunks.push(records.slice(i, i + 10));
    await mapLimit(chunks, 16, (chunk) =>
      queue.sendBatch(
        config.PIPESCOPE_QUEUE,
        chunk.map((e, j) => ({
          id: String(j),
          body: JSON.stringify({
            replay_id: replayId,
            event_id: e.event_id,
            s3_key: e.s3_key,
            s3_range: e.s3_range,
            payload_sha256: e.payload_sha256,
            source: e.source,
            type: e.type,
            entity_id: e.entity_id,
            occurred_at: e.occurred_at,
          }),
          attributes: { replay_id: replayId, event_id: e.event_id },
        })),
      ),
    );
    await loader.close();

    // 2. Start the consumer and time until every message is processed and the queue is empty.
    const { app: processor, env } = await bootApp(
      withOverrides(config, { PROCESSOR_ENABLED: 'true', PROCESSOR_WAIT_TIME_S: '1' }),
      { emulators: emulators.endpoints, provision: false },
    );
    const started = performance.now();
    await processor.init();
    const db = processor.get<AwsClients>(AWS_CLIENTS).dynamo;
    const deadline = Date.now() + 110_000;
    for (;;) {
      const job = await db.send(
        new GetCommand({
          TableName: table,
          Key: replayProgressKeys.job(replayId),
          ProjectionExpression: '#p',
          ExpressionAttributeNames: { '#p': 'processed' },
        }),
      );
      if (Number(job.Item?.processed ?? 0) >= n) break;
      if (Date.now() > deadline)
        throw new Error(`only ${String(job.Item?.processed)} of ${n} processed in time`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const seconds = (performance.now() - started) / 1000;
    await processor.close();
    return {
      events: n,
      buckets,
      batch_size: env.PROCESSOR_BATCH_SIZE,
      concurrency: env.PROCESSOR_CONCURRENCY,
      seconds: Math.round(seconds * 100) / 100,
      messages_per_s: Math.round(n / seconds),
    };
  } finally {
    await emulators.stop();
  }
}

if (require.main === module) {
  const n = Number(process.env.BENCH_EVENTS ?? 2000);
  const buckets = Number(process.env.BENCH_BUCKETS ?? 300);
  runProcessorBench(n, buckets).then(
    (r) => {
      process.stdout.write(
        `processor: ${r.messages_per_s} messages/s end to end (queue -> verified -> stored version), ` +
          `${r.events} messages over ${r.buckets} buckets in ${r.seconds} s, ` +
          `batch ${r.batch_size}, concurrency ${r.concurrency}\n${JSON.stringify(r)}\n`,
      );
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`processor bench failed: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
