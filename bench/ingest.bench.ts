// Ingest throughput and latency against the bare storage floor, measured in the same run on the same
// emulators: the floor does the writes the design needs for the same events (an S3 put and a
// conditional DynamoDB put per event; for a batch, one S3 put per batch and a conditional put per
// event) directly with the SDK at the same concurrency, with no HTTP and no app. Batch ingest with a
// payload schema registered is compared with batch ingest without one, in the same run (issue 14: within
// 10%), and so is batch ingest of events with idempotency keys (their ids are looked up in one
// BatchGetItem per 100 before the batch object is written, so a conflict never lands under raw/).
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { fmt, printRow, run, startBench } from './bench-support';
import { mapLimit } from '../src/shared/async/map-limit';

const SINGLE_EVENTS = Number(process.env.BENCH_SINGLE_EVENTS ?? 2000);
const SINGLE_CONCURRENCY = Number(process.env.BENCH_SINGLE_CONCURRENCY ?? 32);
const BATCHES = Number(process.env.BENCH_BATCHES ?? 40);
const BATCH_SIZE = Number(process.env.BENCH_BATCH_SIZE ?? 100);
const BATCH_CONCURRENCY = Number(process.env.BENCH_BATCH_CONCURRENCY ?? 4);
/** Claims in flight inside one batch, as the ingest service does. */
const CLAIM_CONCURRENCY = 32;

/** What the bench events' payloads look like, as an operator would register it. */
const ORDER_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  required: ['i', 'amount', 'currency', 'note'],
  properties: {
    i: { type: 'integer', minimum: 0 },
    amount: { type: 'number', minimum: 0 },
    currency: { type: 'string', enum: ['EUR', 'USD', 'GBP'] },
    note: { type: 'string', maxLength: 1000 },
  },
  additionalProperties: false,
};

function event(run: string, i: number, keyed = false) {
  return {
    source: `bench-${run}`,
    type: 'order.created',
    entity_id: `order-${i % 500}`,
    occurred_at: new Date(Date.now() - 2000).toISOString(),
    payload: { i, amount: i * 1.5, currency: 'EUR', note: 'x'.repeat(200) },
    ...(keyed ? { idempotency_key: `${run}-${i}` } : {}),
  };
}

async function main(): Promise<void> {
  const ctx = await startBench('ingest');
  const { s3, dynamo } = ctx.clients;
  const bucket = ctx.env.PIPESCOPE_BUCKET;
  const table = ctx.env.PIPESCOPE_TABLE;
  const floorPut = (key: string, body: string) =>
    s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, IfNoneMatch: '*' }));
  const floorClaim = (id: string, item: Record<string, unknown>) =>
    dynamo.send(
      new PutCommand({
        TableName: table,
        Item: { pk: `FLOOR#${id}`, sk: '#EVT', ...item },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  const post = async (path: string, body: string, expected: number) => {
    const res = await fetch(`${ctx.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    await res.arrayBuffer();
    if (res.status !== expected) throw new Error(`${path} answered ${res.status}`);
  };

  process.stdout.write(
    `pipescope ingest bench: node ${process.version}, emulators on loopback (DynamoDB Local in memory, fauxqs for S3 and SQS)\n` +
      `single: ${SINGLE_EVENTS} events at concurrency ${SINGLE_CONCURRENCY}; ` +
      `batch: ${BATCHES} x ${BATCH_SIZE} events at concurrency ${BATCH_CONCURRENCY}\n`,
  );

  // Warm up both paths (JIT, connections, JVM).
  const warm = randomUUID();
  await run(200, SINGLE_CONCURRENCY, (i) => post('/ingest', JSON.stringify(event(warm, i)), 201));
  await run(200, SINGLE_CONCURRENCY, async (i) => {
    const body = JSON.stringify(event(warm, i));
    await floorPut(`floor/warm/${warm}-${i}.json`, body);
    await floorClaim(`warm-${warm}-${i}`, { body_bytes: body.length });
  });

  const a = randomUUID();
  const singleApp = await run(SINGLE_EVENTS, SINGLE_CONCURRENCY, (i) =>
    post('/ingest', JSON.stringify(event(a, i)), 201),
  );
  const f = randomUUID();
  const singleFloor = await run(SINGLE_EVENTS, SINGLE_CONCURRENCY, async (i) => {
    const body = JSON.stringify(event(f, i));
    await floorPut(`floor/single/${f}-${i}.json`, body);
    await floorClaim(`${f}-${i}`, { source: 'bench', body_bytes: body.length });
  });
  printRow('single POST /ingest', singleApp, singleFloor, 'ev');

  const batchRun = (runId: string, keyed = false) =>
    run(
      BATCHES,
      BATCH_CONCURRENCY,
      (n) =>
        post(
          '/ingest/batch',
          JSON.stringify({
            events: Array.from({ length: BATCH_SIZE }, (_, i) => event(runId, n * BATCH_SIZE + i, keyed)),
          }),
          200,
        ),
      BATCH_SIZE,
    );
  const batchApp = await batchRun(randomUUID());
  const g = randomUUID();
  const batchFloor = await run(
    BATCHES,
    BATCH_CONCURRENCY,
    async (n) => {
      const items = Array.from({ length: BATCH_SIZE }, (_, i) =>
        JSON.stringify(event(g, n * BATCH_SIZE + i)),
      );
      await floorPut(`floor/batch/${g}-${n}.ndjson`, items.join('\n'));
      await mapLimit(items, CLAIM_CONCURRENCY, (item) =>
        floorClaim(`${g}-${n}-${randomUUID()}`, { body_bytes: item.length }),
      );
    },
    BATCH_SIZE,
  );
  printRow(`batch POST /ingest/batch`, batchApp, batchFloor, 'ev');
  process.stdout.write('(batch latency is per request of ' + `${BATCH_SIZE} events)\n`);

  // The same batches with a schema registered for their source, between two runs without one.
  const checked = randomUUID();
  const put = await fetch(`${ctx.baseUrl}/schemas/bench-${checked}/order.created`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ORDER_SCHEMA),
  });
  if (put.status !== 201) throw new Error(`PUT /schemas answered ${put.status}`);
  const plainBefore = await batchRun(randomUUID());
  const withSchema = await batchRun(checked);
  const withKeys = await batchRun(randomUUID(), true);
  const plainAfter = await batchRun(randomUUID());
  const plain = (plainBefore.perSecond + plainAfter.perSecond) / 2;
  const compared = (label: string, r: typeof plainBefore) =>
    process.stdout.write(
      `${label.padEnd(29)}${fmt(r.perSecond)} ev/s  p50 ${fmt(r.p50)} ms | ` +
        `without ${fmt(plainBefore.perSecond)} / ${fmt(plainAfter.perSecond)} ev/s (before / after) | ` +
        `with/without ${(r.perSecond / plain).toFixed(2)}\n`,
    );
  compared('batch with a schema', withSchema);
  compared('batch with idempotency keys', withKeys);
  await ctx.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
