// Processor throughput and reads, end to end through the real consumer, against embedded emulators
// started here. Each shape is ingested, enqueued twice (one queue for the app, one for the floor) and
// timed both ways at the same concurrency. The floor does per message only what any processor must:
// the batched receive and delete, one S3 GET of the raw bytes and one conditional DynamoDB write.
// Items read are counted on the app's DynamoDB client (GetItem, Query, BatchGetItem answers), and so
// is what it asks of AWS per message (capacity units, S3 and SQS requests: the processor's side of
// docs/deploy.md's cost model). Its DynamoDB calls ask for ConsumedCapacity to be returned, a little
// work the floor's calls are spared: if anything, that counts against the app.
// Run: npm run bench:processor (BENCH_RUNS, default 3; BENCH_SHAPES, default all three).
import 'reflect-metadata';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { CreateQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { performance } from 'node:perf_hooks';
import { bootApp, RunningEmulators, startEmulators } from '../src/bootstrap';
import { AWS_CLIENTS } from '../src/shared/aws/aws.module';
import { AwsClients, createAwsClients, destroyAwsClients } from '../src/shared/aws/aws-clients';
import { EventIndex, EventRecord } from '../src/shared/events/event-index';
import { QueuePublisher } from '../src/shared/queue/queue-publisher';
import { replayProgressKeys } from '../src/shared/aws/table-keys';
import { Env, withOverrides } from '../src/shared/config/env.config';
import { benchEnv, runtimeLine } from './bench-support';
import { mapLimit } from '../src/shared/async/map-limit';
import { MetricsService } from '../src/shared/metrics/metrics.service';
import { ReplayJobStore } from '../src/replay/replay-job-store';
import { itemBytes, wcu } from './scale-items';

type Shape = 'standard' | 'one-bucket' | 'spread';
const SHAPES: Record<Shape, { events: number; describe: string }> = {
  standard: { events: 2000, describe: '2,000 events over 300 entity-hours' },
  'one-bucket': { events: 3000, describe: '3,000 events of one entity-hour' },
  spread: { events: 3000, describe: '3,000 events over 3,000 entity-hours' },
};
const DAY = '2026-11-01';
const two = (n: number) => String(n).padStart(2, '0');

export interface ShapeResult {
  shape: Shape;
  events: number;
  app_messages_per_s: number;
  floor_messages_per_s: number;
  ratio: number;
  items_read_per_message: number;
  raw_bytes_read_per_message: number;
  /** What the processor asked of AWS per message (items read apart, above). */
  per_message: Omit<RequestCounts, 'items_read'>;
}

function events(shape: Shape): Record<string, unknown>[] {
  const n = SHAPES[shape].events;
  return Array.from({ length: n }, (_, i) => {
    const bucket = shape === 'one-bucket' ? 0 : shape === 'spread' ? i : i % 300;
    const hour = two(bucket % 24);
    const at =
      shape === 'one-bucket'
        ? `${DAY}T10:${two(Math.floor(i / 60) % 60)}:${two(i % 60)}.${String(Math.floor(i / 3600)).padStart(3, '0')}Z`
        : `${DAY}T${hour}:${two(i % 60)}:${two(Math.floor(i / 60) % 60)}.000Z`;
    return {
      source: 'bench-svc',
      type: i % 3 === 0 ? 'order.paid' : 'order.created',
      entity_id: shape === 'one-bucket' ? 'hot-1' : `ent-${Math.floor(bucket / 24)}`,
      occurred_at: at,
      payload: { i, amount: i * 7 },
    };
  });
}

/**
 * What a run asked of AWS, per message. DynamoDB Local's ConsumedCapacity is right for reads and
 * plain writes, but not for transactions (it charged 14 units for a transaction of 11 items, ten of
 * them 1.2 KB, where DynamoDB charges at least 2 per item and 4 per item over 1 KB), so transactional
 * writes are priced here by DynamoDB's rules: 2 units per KB of each item put (its size by
 * scale-items.ts), 1 per KB of each index copy, and 2 for each update or delete (the processor's are
 * of small rows without index keys: a sharded replay's count).
 */
export interface RequestCounts {
  /** Items DynamoDB answered (GetItem, Query, BatchGetItem). */
  items_read: number;
  dynamodb_read_units: number;
  /** Units of writes outside transactions, as DynamoDB Local computes them. */
  dynamodb_plain_write_units: number;
  /** Items written by TransactWriteItems (puts, updates, deletes; condition checks apart). */
  transaction_items: number;
  /** Index copies of the items those transactions put (each gsiNpk an item carries). */
  transaction_index_copies: number;
  /** Write units of those transactions by DynamoDB's rules (above). */
  transaction_write_units: number;
  /** The largest item a transaction put, in bytes by DynamoDB's rules. */
  largest_put_bytes: number;
  /** Transactions DynamoDB cancelled (their items are not counted above); a count, not per message. */
  cancelled_transactions: number;
  s3_get: number;
  s3_put: number;
  sqs_requests: number;
}

interface CapacityShape {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

const WRITES = /^(PutItem|UpdateItem|DeleteItem|BatchWriteItem)Command$/;

interface ReadAnswer {
  Item?: unknown;
  Items?: unknown[];
  Responses?: Record<string, unknown[]>;
  ConsumedCapacity?: CapacityShape | CapacityShape[];
}

/** Items in a GetItem, Query or BatchGetItem answer. */
function itemsIn(o: ReadAnswer): number {
  let items = o.Item ? 1 : 0;
  if (Array.isArray(o.Items)) items += o.Items.length;
  if (o.Responses && typeof o.Responses === 'object' && !Array.isArray(o.Responses)) {
    for (const list of Object.values(o.Responses)) if (Array.isArray(list)) items += list.length;
  }
  return items;
}

interface TransactItem {
  Put?: { Item: Record<string, unknown> };
  Update?: unknown;
  Delete?: unknown;
}

/**
 * Counts what the clients ask of AWS: the items DynamoDB answers; every DynamoDB call but a
 * transaction sent with ReturnConsumedCapacity TOTAL and its answer summed, as DynamoDB Local computes
 * it; a transaction's items priced as RequestCounts says; S3 and SQS calls by operation.
 */
function countRequests(clients: AwsClients): { read: () => RequestCounts } {
  const counts: RequestCounts = {
    items_read: 0,
    dynamodb_read_units: 0,
    dynamodb_plain_write_units: 0,
    transaction_items: 0,
    transaction_index_copies: 0,
    transaction_write_units: 0,
    largest_put_bytes: 0,
    cancelled_transactions: 0,
    s3_get: 0,
    s3_put: 0,
    sqs_requests: 0,
  };
  clients.dynamo.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { ReturnConsumedCapacity?: string; TransactItems?: TransactItem[] };
      if (context.commandName === 'TransactWriteItemsCommand') {
        // Committed ones only; one cancelled (a condition, a conflict) is counted apart, and retried.
        let out;
        try {
          out = await next(args);
        } catch (err) {
          counts.cancelled_transactions += 1;
          throw err;
        }
        for (const t of input.TransactItems ?? []) {
          if (!t.Put && !t.Update && !t.Delete) continue;
          counts.transaction_items += 1;
          if (!t.Put) {
            counts.transaction_write_units += 2;
            continue;
          }
          const bytes = itemBytes(t.Put.Item);
          const copies = Object.keys(t.Put.Item).filter((n) => /^gsi\d+pk$/.test(n)).length;
          counts.transaction_index_copies += copies;
          counts.transaction_write_units += (2 + copies) * wcu(bytes);
          counts.largest_put_bytes = Math.max(counts.largest_put_bytes, bytes);
        }
        return out;
      }
      input.ReturnConsumedCapacity = 'TOTAL';
      const out = await next(args);
      const answer = out.output as ReadAnswer;
      counts.items_read += itemsIn(answer);
      const consumed = answer.ConsumedCapacity;
      const write = WRITES.test(String(context.commandName));
      for (const c of [consumed ?? []].flat()) {
        counts.dynamodb_read_units += c.ReadCapacityUnits ?? (write ? 0 : (c.CapacityUnits ?? 0));
        counts.dynamodb_plain_write_units += c.WriteCapacityUnits ?? (write ? (c.CapacityUnits ?? 0) : 0);
      }
      return out;
    },
    { step: 'initialize', name: 'benchCapacity' },
  );
  clients.s3.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName);
      if (name === 'GetObjectCommand') counts.s3_get += 1;
      if (name === 'PutObjectCommand') counts.s3_put += 1;
      return next(args);
    },
    { step: 'initialize', name: 'benchS3Requests' },
  );
  clients.sqs.middlewareStack.add(
    (next) => async (args) => {
      counts.sqs_requests += 1;
      return next(args);
    },
    { step: 'initialize', name: 'benchSqsRequests' },
  );
  return { read: () => ({ ...counts }) };
}

/** The bare floor: receive 10, per message one S3 GET and one conditional put, delete the batch. */
async function floor(
  env: Env,
  records: EventRecord[],
  queueUrl: string,
  concurrency: number,
): Promise<number> {
  const c = createAwsClients(env);
  let done = 0;
  const started = performance.now();
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (done < records.length) {
          const got = await c.sqs.send(
            new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
          );
          const messages = got.Messages ?? [];
          await Promise.all(
            messages.map(async (m) => {
              const e = JSON.parse(m.Body!) as EventRecord;
              const obj = await c.s3.send(
                new GetObjectCommand({
                  Bucket: env.PIPESCOPE_BUCKET,
                  Key: e.s3_key,
                  ...(e.s3_range ? { Range: `bytes=${e.s3_range[0]}-${e.s3_range[1]}` } : {}),
                }),
              );
              await obj.Body!.transformToByteArray();
              await c.dynamo
                .send(
                  new PutCommand({
                    TableName: env.PIPESCOPE_TABLE,
                    Item: { pk: `FLOOR#${e.event_id}`, sk: '#F', at: Date.now() },
                    ConditionExpression: 'attribute_not_exists(pk)',
                  }),
                )
                .catch((err: Error) => {
                  if (err.name !== 'ConditionalCheckFailedException') throw err;
                });
            }),
          );
          if (messages.length > 0) {
            await c.sqs.send(
              new DeleteMessageBatchCommand({
                QueueUrl: queueUrl,
                Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
              }),
            );
          }
          done += messages.length;
        }
      }),
    );
    return records.length / ((performance.now() - started) / 1000);
  } finally {
    destroyAwsClients(c);
  }
}

async function runShape(emulators: RunningEmulators, shape: Shape): Promise<ShapeResult> {
  const config = benchEnv('processor', { LOG_LEVEL: 'silent' });
  const floorQueue = `${config.PIPESCOPE_QUEUE}-floor`;
  // 1. Ingest and enqueue with the consumer off (the bench config's default).
  const { app: loader } = await bootApp(config, { emulators: emulators.endpoints });
  await loader.init();
  const fastify = loader.getHttpAdapter().getInstance();
  const all = events(shape);
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
  if (records.length !== all.length) throw new Error(`indexed ${records.length} of ${all.length} events`);
  const replayId = `bench-${Date.now()}`;
  const loaderClients = loader.get<AwsClients>(AWS_CLIENTS);
  await loaderClients.dynamo.send(
    new PutCommand({
      TableName: config.PIPESCOPE_TABLE,
      // Laid out as the app creates a job: progress spread over REPLAY_PROGRESS_SHARDS partitions.
      Item: {
        ...replayProgressKeys.job(replayId),
        replay_id: replayId,
        progress_shards: config.REPLAY_PROGRESS_SHARDS,
      },
    }),
  );
  const queue = loader.get(QueuePublisher);
  await loaderClients.sqs.send(new CreateQueueCommand({ QueueName: floorQueue }));
  const chunks: EventRecord[][] = [];
  for (let i = 0; i < records.length; i += 10) chunks.push(records.slice(i, i + 10));
  for (const name of [config.PIPESCOPE_QUEUE, floorQueue]) {
    await mapLimit(chunks, 16, (chunk) =>
      queue.sendBatch(
        name,
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
  }
  const floorUrl = await queue.queueUrl(floorQueue);
  await loader.close();

  // 2. The floor, then the app's consumer, each timed until every message is handled.
  const { app: processor, env } = await bootApp(
    withOverrides(config, { PROCESSOR_ENABLED: 'true', PROCESSOR_WAIT_TIME_S: '1' }),
    { emulators: emulators.endpoints, provision: false },
  );
  const floorRate = await floor(env, records, floorUrl, env.PROCESSOR_CONCURRENCY);
  const requests = countRequests(processor.get<AwsClients>(AWS_CLIENTS));
  const started = performance.now();
  await processor.init();
  try {
    const deadline = Date.now() + 600_000;
    // Done when every message was counted: polled from the processor's own counter (reading the job
    // and its 64 count shards every 50 ms would load the emulator being measured), then checked once
    // against the job's stored count.
    const metrics = processor.get(MetricsService);
    const handled = async () =>
      [
        ...(await metrics.prometheusText()).matchAll(
          /^pipescope_processor_messages_total\{outcome="(?:versioned|unchanged)"\} (\d+)/gm,
        ),
      ].reduce((sum, m) => sum + Number(m[1]), 0);
    for (;;) {
      if ((await handled()) >= records.length) break;
      if (Date.now() > deadline)
        throw new Error(`only ${await handled()} of ${records.length} processed in time`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const elapsed = performance.now() - started;
    const asked = requests.read();
    const job = await processor.get(ReplayJobStore).get(replayId);
    if (job?.processed !== records.length)
      throw new Error(`the job counted ${String(job?.processed)} of ${records.length} messages`);
    const appRate = records.length / (elapsed / 1000);
    const text = await metrics.prometheusText();
    const bytes = Number(/^pipescope_processor_raw_bytes_read_total (\d+)/m.exec(text)?.[1] ?? NaN);
    return {
      shape,
      events: records.length,
      app_messages_per_s: Math.round(appRate),
      floor_messages_per_s: Math.round(floorRate),
      ratio: Math.round((appRate / floorRate) * 100) / 100,
      items_read_per_message: Math.round((asked.items_read / records.length) * 100) / 100,
      raw_bytes_read_per_message: Math.round(bytes / records.length),
      per_message: {
        dynamodb_read_units: round3(asked.dynamodb_read_units / records.length),
        dynamodb_plain_write_units: round3(asked.dynamodb_plain_write_units / records.length),
        transaction_items: round3(asked.transaction_items / records.length),
        transaction_index_copies: round3(asked.transaction_index_copies / records.length),
        transaction_write_units: round3(asked.transaction_write_units / records.length),
        largest_put_bytes: asked.largest_put_bytes,
        cancelled_transactions: asked.cancelled_transactions,
        s3_get: round3(asked.s3_get / records.length),
        s3_put: round3(asked.s3_put / records.length),
        sqs_requests: round3(asked.sqs_requests / records.length),
      },
    };
  } finally {
    await processor.close();
  }
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function runProcessorBench(runs: number, shapes: Shape[]): Promise<ShapeResult[][]> {
  const emulators = await startEmulators(benchEnv('processor'), 'temporary');
  const out: ShapeResult[][] = [];
  try {
    for (let r = 0; r < runs; r++) {
      const results: ShapeResult[] = [];
      for (const shape of shapes) {
        const res = await runShape(emulators, shape);
        process.stdout.write(`run ${r + 1} ${JSON.stringify(res)}\n`);
        results.push(res);
      }
      out.push(results);
    }
    return out;
  } finally {
    await emulators.stop();
  }
}

if (require.main === module) {
  const runs = Number(process.env.BENCH_RUNS ?? 3);
  const shapes = (process.env.BENCH_SHAPES ?? 'standard,one-bucket,spread').split(',') as Shape[];
  process.stdout.write(`pipescope processor bench: ${runtimeLine()}\n`);
  runProcessorBench(runs, shapes).then(
    (all) => {
      for (const [i, shape] of shapes.entries()) {
        const rs = all.map((run) => run[i]);
        process.stdout.write(
          `processor ${shape.padEnd(10)} (${SHAPES[shape].describe}), median of ${rs.length}: ` +
            `app ${median(rs.map((r) => r.app_messages_per_s))} messages/s | floor ${median(rs.map((r) => r.floor_messages_per_s))} messages/s | ` +
            `app/floor ${median(rs.map((r) => r.ratio)).toFixed(2)} (runs ${rs.map((r) => r.ratio.toFixed(2)).join(', ')}) | ` +
            `items read per message ${median(rs.map((r) => r.items_read_per_message))} | ` +
            `raw bytes read per message ${median(rs.map((r) => r.raw_bytes_read_per_message))}\n` +
            `  asked of AWS per message, median: DynamoDB read units ${median(rs.map((r) => r.per_message.dynamodb_read_units))}, ` +
            `plain write units ${median(rs.map((r) => r.per_message.dynamodb_plain_write_units))}, ` +
            `transaction items ${median(rs.map((r) => r.per_message.transaction_items))} ` +
            `(index copies ${median(rs.map((r) => r.per_message.transaction_index_copies))}, largest put ${Math.max(...rs.map((r) => r.per_message.largest_put_bytes))} bytes): ` +
            `${median(rs.map((r) => r.per_message.transaction_write_units))} write units by DynamoDB's rules, ` +
            `${Math.max(...rs.map((r) => r.per_message.cancelled_transactions))} transactions cancelled | ` +
            `S3 GET ${median(rs.map((r) => r.per_message.s3_get))}, ` +
            `PUT ${median(rs.map((r) => r.per_message.s3_put))} | SQS requests ${median(rs.map((r) => r.per_message.sqs_requests))}\n`,
        );
      }
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`processor bench failed: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
